package io.gatehouse.cli;

import io.gatehouse.DataDirectory;
import io.gatehouse.auth.ApiKeyVerifier;
import io.gatehouse.auth.ApiScope;
import io.gatehouse.auth.SecretToken;
import io.gatehouse.store.ApiKeyRecord;
import io.gatehouse.store.ApiKeyStore;
import io.gatehouse.store.Database;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "apikey",
        mixinStandardHelpOptions = true,
        description = "Manages server API keys (Authorization: apikey <key>), stored as hashes.",
        subcommands = {ApiKeyCommand.Create.class, ApiKeyCommand.ListKeys.class, ApiKeyCommand.Revoke.class})
final class ApiKeyCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates a key and prints only the key.")
    static final class Create implements Runnable {
        @Mixin
        ConfigOptions config;

        @Option(
                names = "--name",
                required = true,
                paramLabel = "NAME",
                description = "What the key is for, e.g. django-backend.")
        String name;

        @Option(
                names = "--scopes",
                split = ",",
                paramLabel = "SCOPE",
                description =
                        "publish (publish, broadcast), revoke (POST /api/v1/credentials/revoke: revoke a token by the token)"
                                + " and/or admin (everything). Default: publish")
        List<String> scopes = new ArrayList<>(List.of(ApiScope.PUBLISH.wireName()));

        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            List<String> granted = new ArrayList<>();
            for (String s : scopes) {
                if (ApiScope.fromWire(s).isEmpty()) {
                    throw new CommandFailure("unknown scope '" + s + "': use publish, revoke or admin");
                }
                if (!granted.contains(s)) {
                    granted.add(s);
                }
            }
            if (name.isBlank() || name.length() > 100) {
                throw new CommandFailure("--name must be 1-100 characters");
            }
            SecretToken key = SecretToken.generate(ApiKeyVerifier.KIND);
            try (Database db = DataDirectory.openDatabase(config.load(Map.of()))) {
                new ApiKeyStore(db)
                        .insert(new ApiKeyRecord(
                                key.prefix(), key.hash(), name, List.copyOf(granted), Instant.now(), null));
            }
            spec.commandLine().getOut().println(key.value());
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "Lists keys: prefix, name, scopes, created, revoked.")
    static final class ListKeys extends DatabaseCommand {
        @Override
        void run(Database db) {
            for (ApiKeyRecord k : new ApiKeyStore(db).list()) {
                out().printf(
                                "%-14s %-24s %-14s %s%s%n",
                                k.prefix(),
                                k.name(),
                                String.join(",", k.scopes()),
                                k.createdAt(),
                                k.revokedAt() == null ? "" : " revoked " + k.revokedAt());
            }
        }
    }

    @Command(
            name = "revoke",
            mixinStandardHelpOptions = true,
            description =
                    "Revokes a key by its prefix (ghk_ and 8 characters); a running server refuses it within a second.")
    static final class Revoke extends DatabaseCommand {
        @Parameters(paramLabel = "PREFIX")
        String prefix;

        @Override
        void run(Database db) {
            if (!new ApiKeyStore(db).revoke(prefix, Instant.now())) {
                throw new CommandFailure("no active API key with prefix " + prefix);
            }
            out().println("revoked " + prefix);
        }
    }
}
