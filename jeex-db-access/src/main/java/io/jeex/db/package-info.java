/**
 * The jeex-db runtime: the entry point a JEEX service holds, its configuration, and the
 * typed errors it throws.
 */
package io.jeex.db;
