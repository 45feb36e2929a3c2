package ipkg;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;

/**
 * Runs an embedded Neo4j Community DBMS with Bolt on HOST:PORT (127.0.0.1 unless told) and auth on.
 *
 * <p>Usage: {@code java -Xmx512m -cp ... ipkg.Neo4jLauncher DATA_DIR PORT [HOST]}, with the initial password of
 * the {@code neo4j} user in the environment variable {@code NEO4J_PASSWORD} (never an argument: arguments are
 * visible to every user of the machine in the process list). Prints one line {@code ready bolt://HOST:PORT} on
 * standard output once Bolt accepts connections, and shuts the DBMS down cleanly on SIGTERM. A failure to start
 * ends with one line {@code error REASON} on standard error and exit status 1 (2 for a wrong invocation).
 */
public final class Neo4jLauncher {
    /** Neo4j 5's own minimum (dbms.security.auth_minimum_password_length); checked here to fail with one line. */
    private static final int MIN_PASSWORD = 8;

    private Neo4jLauncher() {
    }

    public static void main(String[] args) {
        if (args.length < 2 || args.length > 3) {
            fail(2, "usage: Neo4jLauncher DATA_DIR PORT [HOST] (the password comes from NEO4J_PASSWORD)");
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = parsePort(args[1]);
        String host = args.length == 3 ? args[2] : "127.0.0.1";
        String password = System.getenv("NEO4J_PASSWORD");
        if (password == null || password.isEmpty()) {
            fail(2, "NEO4J_PASSWORD is not set: it gives the initial password of the neo4j user");
        }
        if (password.length() < MIN_PASSWORD) {
            fail(2, "NEO4J_PASSWORD is too short: Neo4j 5 needs at least " + MIN_PASSWORD + " characters");
        }
        try {
            serve(home, host, port, password);
        } catch (Throwable e) {
            // Neo4j's own threads would keep the JVM alive after main ends: exit, with the root cause last
            e.printStackTrace();
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            fail(1, root.toString());
        }
    }

    private static void serve(Path home, String host, int port, String password) throws InterruptedException {
        SocketAddress bolt = new SocketAddress(host, port);
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                // nothing listens anywhere but where we say (the default would be every interface)
                .setConfig(GraphDatabaseSettings.default_listen_address, new SocketAddress(host))
                .setConfig(GraphDatabaseSettings.default_advertised_address, new SocketAddress(host))
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, bolt)
                // neo4j:// URIs ask for a routing table: it must point back at this address, not localhost:7687
                .setConfig(BoltConnector.advertised_address, bolt)
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                // by default the page cache takes half of the machine's memory; ipkg's graphs are small
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(128))
                // no usage report to Neo4j's servers (and no attempt to reach the network at all)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                // Bolt's event loops otherwise wait a 5 s quiet period each on shutdown (10 s per stop); no client
                // is left to serve by then
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        // the JVM runs shutdown hooks on SIGTERM and SIGINT: the stores are flushed and closed, no recovery needed
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                dbms.shutdown();
                System.out.println("stopped");
            } finally {
                stopped.countDown();
            }
        }, "ipkg-neo4j-shutdown"));

        setInitialPassword(dbms, password);
        waitForBolt(host, port);
        System.out.println("ready bolt://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port);
        System.out.flush();
        stopped.await();
    }

    /**
     * Sets the neo4j user's password while it is still the initial one (password change required).
     *
     * <p>Embedded transactions run with full rights, so no login is needed; a password changed later (in
     * Neo4j Browser, say) is left alone on the next start.
     */
    private static void setInitialPassword(DatabaseManagementService dbms, String password) {
        GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        boolean initial = system.executeTransactionally(
                "SHOW USERS YIELD user, passwordChangeRequired WHERE user = $user RETURN passwordChangeRequired",
                Map.of("user", "neo4j"),
                result -> result.hasNext() && Boolean.TRUE.equals(result.next().get("passwordChangeRequired")));
        if (initial) {
            system.executeTransactionally("ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
        }
    }

    /** Bolt is started by build(); this makes sure a client can connect before "ready" is printed. */
    private static void waitForBolt(String host, int port) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 1000);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("Bolt did not accept connections on " + host + ":" + port + " within 30 s");
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port > 0 && port < 65536) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // the message below says what is wrong
        }
        fail(2, "PORT must be a number from 1 to 65535, not " + text);
        return -1;
    }

    private static void fail(int status, String message) {
        System.err.println("error " + message);
        System.exit(status);
    }
}
