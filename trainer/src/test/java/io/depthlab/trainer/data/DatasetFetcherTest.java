package io.depthlab.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetFetcherTest {

    private static final String NAME = "data.bin";

    @TempDir Path dir;

    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    // The Range header of every request, "" when absent.
    private final List<String> ranges = new CopyOnWriteArrayList<>();
    private volatile boolean honorRange = true;
    private HttpServer server;
    private URI base;
    private final List<long[]> progress = new ArrayList<>();
    private byte[] content;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::serve);
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/files/");
        content = new byte[200_000];
        new Random(4).nextBytes(content);
        served.put("/files/" + NAME, content);
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private void serve(HttpExchange exchange) throws IOException {
        String range = exchange.getRequestHeaders().getFirst("Range");
        ranges.add(range == null ? "" : range);
        byte[] body = served.get(exchange.getRequestURI().getPath());
        if (body == null) {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
        }
        int start = 0;
        int status = 200;
        if (range != null && honorRange) {
            start = Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
            status = 206;
            exchange.getResponseHeaders()
                    .add(
                            "Content-Range",
                            "bytes " + start + "-" + (body.length - 1) + "/" + body.length);
        }
        exchange.sendResponseHeaders(status, body.length - start);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body, start, body.length - start);
        }
    }

    private DatasetFetcher fetcher() {
        return new DatasetFetcher(
                base, (file, done, total) -> progress.add(new long[] {done, total}));
    }

    private DatasetFetcher.RemoteFile remote(String algorithm, String digest) {
        return new DatasetFetcher.RemoteFile(
                NAME, URI.create("https://example.invalid/" + NAME), -1, algorithm, digest);
    }

    private DatasetFetcher.RemoteFile valid() throws Exception {
        return remote("SHA-256", hex("SHA-256", content));
    }

    private static String hex(String algorithm, byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    }

    @Test
    void download_fresh_verifiesRenamesAndReportsProgress() throws Exception {
        Path file = fetcher().download(valid(), dir);

        assertThat(file).isEqualTo(dir.resolve(NAME)).hasBinaryContent(content);
        assertThat(dir.resolve(NAME + ".part")).doesNotExist();
        assertThat(ranges).containsExactly("");
        assertThat(progress.get(progress.size() - 1)).containsExactly(200_000, 200_000);
    }

    @Test
    void download_partialFile_resumesWithRange() throws Exception {
        Files.write(dir.resolve(NAME + ".part"), Arrays.copyOf(content, 70_000));

        Path file = fetcher().download(valid(), dir);

        assertThat(file).hasBinaryContent(content);
        assertThat(ranges).containsExactly("bytes=70000-");
        assertThat(progress.get(0)).containsExactly(70_000, 200_000);
    }

    @Test
    void download_serverIgnoringRange_startsOver() throws Exception {
        honorRange = false;
        // Junk in the part file proves it is replaced, not appended to.
        Files.write(dir.resolve(NAME + ".part"), new byte[70_000]);

        Path file = fetcher().download(valid(), dir);

        assertThat(file).hasBinaryContent(content);
        assertThat(ranges).containsExactly("bytes=70000-");
    }

    @Test
    void download_checksumMismatch_refusesAndLeavesNothing() throws Exception {
        String wrong = "0".repeat(32);
        String actual = hex("MD5", content);

        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () -> fetcher().download(remote("MD5", wrong), dir));

        assertThat(e)
                .hasMessage(
                        dir.resolve(NAME)
                                + ": expected MD5 "
                                + wrong
                                + ", found "
                                + actual
                                + "; the download was deleted");
        assertThat(dir.resolve(NAME)).doesNotExist();
        assertThat(dir.resolve(NAME + ".part")).doesNotExist();
    }

    @Test
    void download_missingOnServer_throwsNamingUrlAndStatus() throws Exception {
        served.clear();

        DatasetException e =
                assertThrows(DatasetException.class, () -> fetcher().download(valid(), dir));

        assertThat(e).hasMessage("GET " + base + NAME + ": expected HTTP 200 or 206, found 404");
        assertThat(dir.resolve(NAME)).doesNotExist();
    }

    @Test
    void download_validFilePresent_sendsNoRequest() throws Exception {
        Files.write(dir.resolve(NAME), content);

        fetcher().download(remote("MD5", hex("MD5", content)), dir);

        assertThat(ranges).isEmpty();
    }

    @Test
    void download_corruptFilePresent_isReplaced() throws Exception {
        Files.write(dir.resolve(NAME), new byte[10]);

        Path file = fetcher().download(valid(), dir);

        assertThat(file).hasBinaryContent(content);
        assertThat(ranges).containsExactly("");
    }

    @Test
    void source_fromCliName_findsEachAndRefusesOthers() {
        for (DatasetFetcher.Source source : DatasetFetcher.Source.values()) {
            assertThat(DatasetFetcher.Source.fromCliName(source.cliName())).isSameAs(source);
            assertThat(source.files()).allMatch(f -> f.url().getScheme().equals("https"));
        }

        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> DatasetFetcher.Source.fromCliName("mnist"));

        assertThat(e).hasMessageContaining("found 'mnist'").hasMessageContaining("fashion-mnist");
    }
}
