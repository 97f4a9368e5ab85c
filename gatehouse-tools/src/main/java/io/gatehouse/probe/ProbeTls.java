package io.gatehouse.probe;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How the probe checks a {@code wss://} server's certificate: against the JVM's trust store (the
 * default), against the certificates of a PEM file ({@code --cacert}, for a private CA or a
 * self-signed server), or not at all ({@code --insecure}, which the output then says on every
 * line). Whenever it checks, it also checks that the certificate names the URL's host.
 */
public final class ProbeTls {
    private final SSLSocketFactory factory;
    private final boolean verifies;
    /** What to do about a certificate this refused, ending the error message; empty when it checks nothing. */
    private final String fix;

    private ProbeTls(SSLSocketFactory factory, boolean verifies, String fix) {
        this.factory = factory;
        this.verifies = verifies;
        this.fix = fix;
    }

    /** The JVM's default trust store. */
    public static ProbeTls system() {
        return new ProbeTls(
                (SSLSocketFactory) SSLSocketFactory.getDefault(),
                true,
                "for a self-signed or private-CA certificate give --cacert FILE (PEM), or --insecure to skip the check"
                        + " on a test server");
    }

    /**
     * Trusts the certificates in {@code pem} (one or more, PEM or DER), and only those.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    public static ProbeTls trusting(Path pem) {
        if (!Files.isRegularFile(pem) || !Files.isReadable(pem)) {
            throw new IllegalArgumentException("cannot read " + pem + ": "
                    + (Files.isDirectory(pem) ? "a directory" : Files.exists(pem) ? "not readable" : "no such file"));
        }
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(pem)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + pem + ": " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(pem + " holds no X.509 certificate in PEM: " + e.getMessage());
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException(pem + " holds no certificate (expected -----BEGIN CERTIFICATE-----)");
        }
        try {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int i = 0;
            for (Certificate c : certificates) {
                trusted.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return new ProbeTls(
                    context.getSocketFactory(),
                    true,
                    "the server's certificate is not issued by one in " + pem + ", or does not name the URL's host");
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the JVM cannot build a trust store: " + e.getMessage(), e);
        }
    }

    /** Accepts any certificate for any host: for a test server, never for one that matters. */
    public static ProbeTls insecure() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new TrustingAll()}, null);
            return new ProbeTls(context.getSocketFactory(), false, "");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM has no TLS: " + e.getMessage(), e);
        }
    }

    /** Whether the server's certificate and host name are checked. */
    public boolean verifies() {
        return verifies;
    }

    /**
     * What to do about {@code failure} of a handshake, for the error message: the fix when the
     * server's certificate was refused (the cause is a certificate or path-validation error), else
     * nothing, since a plain-HTTP port or a time-out is not about trust.
     */
    String fixFor(IOException failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof GeneralSecurityException) {
                return fix;
            }
        }
        return "";
    }

    /** TLS over {@code plain}, connected to {@code host}, handshake done. */
    SSLSocket wrap(Socket plain, String host, int port, int timeoutMillis) throws IOException {
        SSLSocket tls = (SSLSocket) factory.createSocket(plain, host, port, true);
        if (verifies) {
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
            tls.setSSLParameters(parameters);
        }
        tls.setSoTimeout(timeoutMillis);
        tls.startHandshake();
        return tls;
    }

    /** --insecure's trust manager. */
    private static final class TrustingAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
