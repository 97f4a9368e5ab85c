package io.gatehouse.cli;

import picocli.CommandLine;

/** The version from the jar's manifest, or "development" when run from classes. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = GatehouseCommand.class.getPackage().getImplementationVersion();
        return new String[] {"gatehouse " + (v == null ? "development" : v)};
    }
}
