package io.gatehouse.cli;

import io.gatehouse.DataDirectory;
import io.gatehouse.auth.TokenIssuer;
import io.gatehouse.auth.TokenLifetime;
import io.gatehouse.auth.User;
import io.gatehouse.auth.UserIds;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.hooks.WebhookEvents;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.store.Database;
import io.gatehouse.store.TokenRecord;
import io.gatehouse.store.TokenStore;
import io.gatehouse.store.UserRecord;
import io.gatehouse.store.UserStore;
import java.time.Clock;
import java.time.Duration;
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
        name = "token",
        mixinStandardHelpOptions = true,
        description = "Creates and revokes access tokens.",
        subcommands = {TokenCommand.Create.class, TokenCommand.Revoke.class})
final class TokenCommand {
    /** The token types {@code --type} accepts. */
    enum Type {
        opaque,
        jwt
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = {
                "Creates a token for a local user and prints only the token on standard output.",
                "opaque: ght_..., stored as a hash, revocable with 'token revoke PREFIX'.",
                "jwt: signed with auth.jwt.signing_key when set, else HS256 with the server's secret",
                "(refused when auth.jwt.algorithms leaves out HS256 and there is no signing key);",
                "iss gatehouse, sub local:NAME; valid until it expires or the user is removed."
            })
    static final class Create implements Runnable {
        @Mixin
        ConfigOptions config;

        @Option(
                names = "--user",
                required = true,
                paramLabel = "NAME",
                description = "The user the token authenticates.")
        String user;

        @Option(
                names = "--ttl",
                paramLabel = "DURATION",
                description = "Lifetime, e.g. 30m, 1h, 7d. Default: auth.tokens.default_ttl (1h).")
        String ttl;

        @Option(
                names = "--type",
                paramLabel = "TYPE",
                defaultValue = "opaque",
                description = "opaque or jwt. Default: ${DEFAULT-VALUE}")
        Type type;

        @Option(
                names = "--channels",
                paramLabel = "CHANNELS",
                description = {
                    "Extra channels the token may subscribe to, comma separated; may be repeated.",
                    "A value with # is one user-limited channel whose commas separate users: --channels dialog#alice,bob"
                })
        List<String> channels = new ArrayList<>();

        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            List<String> granted = channelList(channels);
            GatehouseConfig cfg = config.load(Map.of());
            Duration lifetime;
            try {
                lifetime = TokenLifetime.of(ttl, cfg.auth().tokens());
            } catch (IllegalArgumentException e) {
                throw new CommandFailure("--ttl: " + e.getMessage());
            }
            try (Database db = DataDirectory.openDatabase(cfg)) {
                UserRecord u =
                        new UserStore(db).find(user).orElseThrow(() -> new CommandFailure("no user '" + user + "'"));
                User who = new User(UserIds.local(u.id()), u.id(), u.roles());
                TokenIssuer issuer =
                        TokenIssuer.forConfig(new TokenStore(db), DataDirectory.hmacKeys(cfg), cfg, Clock.systemUTC());
                if (type == Type.jwt && !issuer.canIssueJwt()) {
                    throw new CommandFailure("--type jwt: " + TokenIssuer.NO_JWT_SIGNER);
                }
                TokenIssuer.IssuedToken t = type == Type.jwt
                        ? issuer.issueJwt(who, granted, lifetime)
                        : issuer.issueOpaque(who, granted, lifetime);
                spec.commandLine().getOut().println(t.token());
            }
        }

        /**
         * The channels of the {@code --channels} values. Split on every comma, "dialog#alice,bob"
         * would grant the channels dialog#alice and bob instead of the one dialog both may join.
         */
        static List<String> channelList(List<String> values) {
            List<String> out = new ArrayList<>();
            for (String value : values) {
                List<String> parts = value.indexOf('#') >= 0 ? List.of(value) : List.of(value.split(",", -1));
                for (String part : parts) {
                    String channel = part.strip();
                    if (ChannelName.parse(channel).isEmpty()) {
                        throw new CommandFailure(
                                "--channels: '" + channel + "' is not a channel name. " + ChannelName.grammarHint());
                    }
                    if (!out.contains(channel)) {
                        out.add(channel);
                    }
                }
            }
            return List.copyOf(out);
        }
    }

    @Command(
            name = "revoke",
            mixinStandardHelpOptions = true,
            description =
                    "Revokes an opaque token by its prefix (ght_ and 8 characters), and the tokens minted with it; they are refused from then on, their connections closed, and a token.revoked webhook event raised for each when hooks.url is set.")
    static final class Revoke extends DatabaseCommand {
        @Parameters(paramLabel = "PREFIX")
        String prefix;

        @Override
        void run(Database db) {
            TokenStore tokens = new TokenStore(db);
            String userId = tokens.findByPrefix(prefix).map(TokenRecord::userId).orElse(null);
            // The token, the tokens minted with it (POST /api/v1/tokens, transitively), a journal
            // entry for each (a running server reads it and closes their live connections) and,
            // when hooks.url is set, their token.revoked events (the server sends them): all in one
            // transaction, as for a revocation through the API.
            WebhookEvents hooks = WebhookEvents.preparing(configuration().hooks(), Clock.systemUTC());
            if (tokens.revokeJournaled(prefix, null, Instant.now(), id -> hooks.tokenRevoked(id, userId))
                    .isEmpty()) {
                throw new CommandFailure("no active token with prefix " + prefix);
            }
            out().println("revoked " + prefix);
        }
    }
}
