package io.gatehouse.cli;

import io.gatehouse.DataDirectory;
import io.gatehouse.auth.PasswordHasher;
import io.gatehouse.auth.User;
import io.gatehouse.auth.UserIds;
import io.gatehouse.store.Database;
import io.gatehouse.store.Revocation;
import io.gatehouse.store.RevocationStore;
import io.gatehouse.store.UserRecord;
import io.gatehouse.store.UserStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "user",
        mixinStandardHelpOptions = true,
        description = "Manages local users (passwords hashed with Argon2id).",
        subcommands = {UserCommand.Add.class, UserCommand.ListUsers.class, UserCommand.Remove.class})
final class UserCommand {
    /** A user name is also the user id and a channel-name part: letters, digits and _ - . @ only. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_\\-.@]{1,64}");

    @Command(
            name = "add",
            mixinStandardHelpOptions = true,
            description = {"Adds a user. Without --password-stdin a random password is generated and printed once."})
    static final class Add implements Runnable {
        @Mixin
        ConfigOptions config;

        @Parameters(paramLabel = "NAME", description = "User name (also the user id): letters, digits, _ - . @")
        String name;

        @Option(names = "--admin", description = "Give the user the admin role.")
        boolean admin;

        @Option(names = "--password-stdin", description = "Read the password from the first line of standard input.")
        boolean passwordStdin;

        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            if (!NAME.matcher(name).matches()) {
                throw new CommandFailure("invalid user name '" + name + "': use 1-64 letters, digits, _ - . @");
            }
            String password = passwordStdin ? readPassword() : generatedPassword();
            try (Database db = DataDirectory.openDatabase(config.load(Map.of()))) {
                String hash = new PasswordHasher().hash(password.toCharArray());
                List<String> roles = admin ? List.of(User.ADMIN_ROLE) : List.of();
                if (!new UserStore(db).add(new UserRecord(name, roles, hash, Instant.now()))) {
                    throw new CommandFailure("user '" + name + "' already exists");
                }
            }
            var out = spec.commandLine().getOut();
            if (passwordStdin) {
                out.println("added user " + name + (admin ? " (admin)" : ""));
            } else {
                out.println("added user " + name + (admin ? " (admin)" : "") + " with password " + password
                        + " (shown once)");
            }
        }

        private static String readPassword() {
            try {
                String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                if (line == null || line.isEmpty()) {
                    throw new CommandFailure("--password-stdin: standard input has no password line");
                }
                return line;
            } catch (IOException e) {
                throw new CommandFailure("--password-stdin: cannot read standard input");
            }
        }

        private static String generatedPassword() {
            byte[] random = new byte[15];
            new SecureRandom().nextBytes(random);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists users: name, roles, created.")
    static final class ListUsers extends DatabaseCommand {
        @Override
        void run(Database db) {
            for (UserRecord u : new UserStore(db).list()) {
                out().printf("%-24s %-12s %s%n", u.id(), String.join(",", u.roles()), u.createdAt());
            }
        }
    }

    @Command(
            name = "remove",
            mixinStandardHelpOptions = true,
            description =
                    "Removes a user, deletes their opaque tokens and sessions, refuses the JWTs minted for them and closes their live connections.")
    static final class Remove extends DatabaseCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        void run(Database db) {
            if (!new UserStore(db).remove(name)) {
                throw new CommandFailure("no user '" + name + "'");
            }
            // A running server reads the journal and closes the user's live connections.
            // It also refuses the JWTs Gatehouse minted for the user before now (a per-user not-before).
            new RevocationStore(db).append(Revocation.Kind.USER, UserIds.local(name), Instant.now());
            out().println("removed user " + name);
        }
    }
}
