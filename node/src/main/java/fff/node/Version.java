package fff.node;

import picocli.CommandLine.IVersionProvider;

/** Version string from the jar manifest (the build's project version). */
final class Version implements IVersionProvider {

    static String current() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"fff " + current() + " (protocol " + fff.common.wire.WireLimits.VERSION + ", Java "
                + Runtime.version() + ")"};
    }
}
