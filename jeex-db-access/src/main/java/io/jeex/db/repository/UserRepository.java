package io.jeex.db.repository;

import io.jeex.db.error.NotFoundException;
import java.util.Optional;
import java.util.UUID;

/**
 * Users: create, find, update, record sign-ins, delete. Each method runs in its own
 * transaction, or joins the caller's when called inside {@link io.jeex.db.JeexDatabase#transaction}.
 * Deleting a user deletes their projects and everything in them; document versions they
 * wrote in other users' projects stay, without an author.
 *
 * <p>Every operation but {@link #byEmail} is user-scoped: on {@code db.actingAs(id)} it reaches the
 * acting user's own row only (another user's id is not found), on {@code db.system()} any user's.
 * {@link #byEmail} is system-scoped (a sign-in lookup crosses users).
 */
public interface UserRepository {

    /**
     * Creates a user with an empty profile: see {@link #create(String, String, Json)}.
     *
     * @param email sign-in email, stored stripped of leading and trailing white space; compared
     *     without regard to case
     * @param name display name, stored stripped of leading and trailing white space, at most 255
     *     characters
     * @return the stored user
     * @throws io.jeex.db.error.InvalidInputException if the email or name is blank, too long or malformed
     * @throws io.jeex.db.error.UniqueViolationException if a user with this email (in any case) exists
     */
    User create(String email, String name);

    /**
     * Creates a user. User-scoped: it creates the acting user's own row, whose id is the acting
     * user ({@code db.actingAsNewUser()} makes a new id for a sign-up), so a sign-up needs no system
     * mode: the users policy lets a user insert their own row and no other. In system mode it
     * creates a user with a new id.
     *
     * @param email sign-in email, stored stripped of leading and trailing white space; compared
     *     without regard to case
     * @param name display name, stored stripped of leading and trailing white space, at most 255
     *     characters
     * @param profile profile settings
     * @return the stored user
     * @throws io.jeex.db.error.InvalidInputException if a value breaks a rule
     * @throws io.jeex.db.error.UniqueViolationException if a user with this email (in any case)
     *     exists, or the acting user exists already
     */
    User create(String email, String name, Json profile);

    /**
     * Finds a user by id. User-scoped: finds the acting user only (another id is empty). One round
     * trip: the acting user travels with the SELECT.
     *
     * @param id the id
     * @return the user, or empty
     * @throws io.jeex.db.error.InvalidInputException if the id is null
     */
    Optional<User> byId(UUID id);

    /**
     * Finds a user by email, without regard to case (uses the unique index on lower(email)).
     * System-scoped: a sign-in lookup, before anyone acts as the user, so only on
     * {@code db.system()}; it opens a connection of its own.
     *
     * @param email the email; leading and trailing white space is ignored
     * @return the user, or empty
     * @throws io.jeex.db.error.InvalidInputException if the email is blank or too long
     * @throws io.jeex.db.error.WrongScopeException if called on the repositories of a user
     */
    Optional<User> byEmail(String email);

    /**
     * Renames a user. User-scoped.
     *
     * @param id the user
     * @param name the new display name, stored stripped of leading and trailing white space, at
     *     most 255 characters
     * @return the updated user
     * @throws io.jeex.db.error.InvalidInputException if the id is null or the name breaks a rule
     * @throws NotFoundException if there is no such user (or it is not the acting user)
     */
    User updateName(UUID id, String name);

    /**
     * Replaces a user's profile settings. User-scoped.
     *
     * @param id the user
     * @param profile the new profile
     * @return the updated user
     * @throws io.jeex.db.error.InvalidInputException if the id or profile is null or the profile is
     *     too large
     * @throws NotFoundException if there is no such user (or it is not the acting user)
     */
    User updateProfile(UUID id, Json profile);

    /**
     * Records a sign-in now (the database's clock). User-scoped.
     *
     * @param id the user
     * @return the updated user
     * @throws io.jeex.db.error.InvalidInputException if the id is null
     * @throws NotFoundException if there is no such user (or it is not the acting user)
     */
    User recordLogin(UUID id);

    /**
     * Deletes a user, their projects and everything in those projects (right to erasure; the
     * foreign keys' ON DELETE rules remove the rest whoever's rows they are, and document versions
     * the user wrote elsewhere stay without an author). User-scoped: a user erases themselves; in
     * system mode, an operator erases anyone. The files of the user's exports are not the
     * database's: read their paths before, if they must go too.
     *
     * @param id the user
     * @return true if the user existed; after a lost connection, also when an earlier attempt of
     *     this call already deleted it (the library cannot tell that from a user that never
     *     existed)
     * @throws io.jeex.db.error.InvalidInputException if the id is null
     */
    boolean delete(UUID id);
}
