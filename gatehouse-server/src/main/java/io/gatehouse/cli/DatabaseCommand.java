package io.gatehouse.cli;

import io.gatehouse.DataDirectory;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.store.Database;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A subcommand that does all its work on Gatehouse's database (list, revoke, remove): the
 * configuration options that name the database, opened for {@link #run(Database)} and closed after.
 */
abstract class DatabaseCommand implements Runnable {
    @Mixin
    ConfigOptions config;

    @Spec
    CommandSpec spec;

    private GatehouseConfig loaded;

    @Override
    public final void run() {
        loaded = config.load(Map.of());
        try (Database db = DataDirectory.openDatabase(loaded)) {
            run(db);
        }
    }

    /** The configuration the database was opened with. */
    GatehouseConfig configuration() {
        return loaded;
    }

    /** The command's work; {@code db} closes when it returns. */
    abstract void run(Database db);

    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
