package io.jeex.db.internal;

/** Where a service's {@code classpath:} migration locations are looked up. */
public final class Loaders {

    private Loaders() {
    }

    /**
     * @return the thread's context class loader (the service's, also in containers that give
     *     libraries a loader of their own), else the one that loaded jeex-db
     */
    public static ClassLoader service() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : Loaders.class.getClassLoader();
    }
}
