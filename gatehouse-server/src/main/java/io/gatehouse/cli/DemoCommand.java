package io.gatehouse.cli;

import io.gatehouse.DataDirectory;
import io.gatehouse.Gatehouse;
import io.gatehouse.auth.User;
import io.gatehouse.config.ConfigException;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.config.ConfigLoader;
import io.gatehouse.config.ConfigSources;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.demo.Demo;
import io.gatehouse.store.UserRecord;
import io.gatehouse.store.UserStore;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the server as serve does, with live demo data for the dashboard.",
            "It adds:",
            "- the local user demo with the password demo (created when missing, no admin);",
            "- a publication to the channel news every second;",
            "- a task of the user demo every 30 s (the first at once);",
            "- a few WebSocket clients of demo that connect to this server only (loopback",
            "  when it listens on every address), some refused on purpose (TOKEN_INVALID,",
            "  TOKEN_EXPIRED).",
            "Prints 'listening on http://HOST:PORT', the dashboard URL, the admin password",
            "when it creates the admin user (the first start), and the demo credentials.",
            "For trying Gatehouse out: --profile prod is refused."
        })
final class DemoCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Mixin
    ListenOptions listen;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ConfigSources sources = config.sources(listen.flags());
        ConfigSources.Setting profile = sources.settings().get(ConfigKey.PROFILE.key());
        if (profile != null
                && "prod".equalsIgnoreCase(String.valueOf(profile.raw()).trim())) {
            throw refusedInProd(profile.source()); // before the prod checks: this is the point to make
        }
        GatehouseConfig cfg = ConfigLoader.load(sources);
        if (cfg.profile() == GatehouseConfig.Profile.PROD) {
            throw refusedInProd("configuration");
        }
        return NodeRun.run(cfg, spec.commandLine().getOut(), DemoCommand::start);
    }

    private static ConfigException refusedInProd(String source) {
        return new ConfigException("demo refuses profile prod (" + source + "): it adds the user "
                + Demo.USER + " with the password " + Demo.PASSWORD
                + ", test publications and test clients; run serve for production, or demo with profile dev");
    }

    private static AutoCloseable start(Gatehouse node, boolean adminCreated, PrintWriter out) {
        Demo demo = Demo.start(node);
        String url = demo.localUrl(); // the node's own, with 127.0.0.1 for "every address"
        out.println("dashboard: " + url + "/");
        if (adminCreated) {
            out.println("admin: log in to the dashboard as '" + DataDirectory.BOOTSTRAP_ADMIN
                    + "' with the password above");
        } else {
            String admins = new UserStore(node.database())
                    .list().stream()
                            .filter(u -> u.roles().contains(User.ADMIN_ROLE))
                            .map(UserRecord::id)
                            .map(name -> "'" + name + "'")
                            .collect(Collectors.joining(", "));
            out.println(
                    admins.isEmpty()
                            ? "admin: no user has the admin role; gatehouse user add NAME --admin adds one"
                            : "admin: " + admins + " exists already; its password was printed when it was created"
                                    + " (gatehouse user add NAME --admin adds another)");
        }
        switch (demo.userState()) {
            case CREATED, EXISTS ->
                out.println("demo user: " + Demo.USER + " / " + Demo.PASSWORD + " (not an admin; try it on " + url
                        + "/test)");
            case OTHER_PASSWORD ->
                out.println("demo user: '" + Demo.USER + "' exists with another password, left" + " as it is");
        }
        out.println("demo: publishing to '" + Demo.CHANNEL + "' every second, a task for " + Demo.USER
                + " every 30 s, demo clients on " + demo.clientsUri()
                + " (some refused on purpose)");
        out.flush();
        return demo;
    }
}
