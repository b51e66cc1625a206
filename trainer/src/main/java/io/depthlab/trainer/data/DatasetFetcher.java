package io.depthlab.trainer.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads the official files of a data set, checks them and unpacks what the loaders need; the
 * engine behind {@code depthlab data fetch cifar100|emnist|fashion-mnist [DIR]}.
 *
 * <p>Each file goes to {@code DIR/<name>.part} first. An interrupted download is resumed with an
 * HTTP {@code Range} request (a server that ignores it and answers 200 is handled by starting
 * over). The finished file's MD5 or SHA-256 must equal the published one: on a mismatch the
 * download is deleted and refused, naming the expected and the found digest. Only then is it
 * renamed into place, atomically. Files already present with the right digest are not downloaded
 * again.
 *
 * <p>The base URL can be replaced (tests serve the files from a local server). Progress goes to a
 * {@link ProgressListener}. Instances are thread-safe, but two fetches into the same folder at once
 * would share {@code .part} files: don't.
 */
public final class DatasetFetcher {

    /** Receives download progress; called on the downloading thread, often (every 64 KiB). */
    @FunctionalInterface
    public interface ProgressListener {

        /**
         * Reports progress of one file.
         *
         * @param fileName the file being downloaded
         * @param bytesDone bytes present so far, including a resumed part
         * @param bytesTotal the file's size in bytes, or -1 when unknown
         */
        void progress(String fileName, long bytesDone, long bytesTotal);

        /** A listener that ignores progress. */
        ProgressListener NONE = (fileName, bytesDone, bytesTotal) -> {};
    }

    /**
     * One published file.
     *
     * @param name the file name, also the last segment of its URL
     * @param url where the file is published
     * @param size its size in bytes, or -1 if not known; only used for progress and resuming
     * @param algorithm {@code MD5} or {@code SHA-256}
     * @param digest the published digest, lower-case hex
     */
    public record RemoteFile(String name, URI url, long size, String algorithm, String digest) {

        /** Checks the fields. */
        public RemoteFile {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(algorithm, "algorithm");
            Objects.requireNonNull(digest, "digest");
            if (name.isEmpty() || name.contains("/") || name.contains("\\")) {
                throw new IllegalArgumentException(
                        "expected a plain file name, found '" + name + "'");
            }
            if (!algorithm.equals("MD5") && !algorithm.equals("SHA-256")) {
                throw new IllegalArgumentException(
                        "expected algorithm MD5 or SHA-256, found " + algorithm);
            }
            digest = digest.toLowerCase(Locale.ROOT);
        }
    }

    /** The data sets that can be fetched, with their published files. */
    public enum Source {
        /** CIFAR-100, binary version (from the CIFAR page at the University of Toronto). */
        CIFAR100(
                "cifar100",
                "cifar-100-binary",
                new RemoteFile(
                        "cifar-100-binary.tar.gz",
                        URI.create("https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz"),
                        168_513_733L,
                        "MD5",
                        "03b5dce01913d631647c71ecec9e9cb8")),
        /** CIFAR-100, python (pickle) version. */
        CIFAR100_PYTHON(
                "cifar100-python",
                "cifar-100-python",
                new RemoteFile(
                        "cifar-100-python.tar.gz",
                        URI.create("https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"),
                        169_001_437L,
                        "MD5",
                        "eb9058c3a382ffc7106e4002c42a8d85")),
        /** EMNIST, all variants in NIST's gzip.zip; the Balanced variant is unpacked. */
        EMNIST(
                "emnist",
                "emnist-balanced",
                new RemoteFile(
                        "gzip.zip",
                        URI.create("https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"),
                        -1,
                        "MD5",
                        "58c8d27c78d21e728a6bc7b3cc06412e")),
        /** Fashion-MNIST from the GitHub repository of Zalando Research; used as downloaded. */
        FASHION_MNIST(
                "fashion-mnist",
                ".",
                fashion(
                        "train-images-idx3-ubyte.gz",
                        26_421_880L,
                        "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
                fashion("train-labels-idx1-ubyte.gz", 29_515L, "25c81989df183df01b3e8a0aad5dffbe"),
                fashion(
                        "t10k-images-idx3-ubyte.gz",
                        4_422_102L,
                        "bef4ecab320f06d8554ea6380940ec79"),
                fashion("t10k-labels-idx1-ubyte.gz", 5_148L, "bb300cfdad3c16e7a12a480ee83cd310"));

        private final String cliName;
        private final String folder;
        private final List<RemoteFile> files;

        Source(String cliName, String folder, RemoteFile... files) {
            this.cliName = cliName;
            this.folder = folder;
            this.files = List.of(files);
        }

        private static RemoteFile fashion(String name, long size, String md5) {
            return new RemoteFile(
                    name,
                    URI.create(
                            "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/"
                                    + "master/data/fashion/"
                                    + name),
                    size,
                    "MD5",
                    md5);
        }

        /** The name on the command line, e.g. {@code fashion-mnist}. */
        public String cliName() {
            return cliName;
        }

        /** The published files. */
        public List<RemoteFile> files() {
            return files;
        }

        /**
         * The source with this command-line name.
         *
         * @throws IllegalArgumentException naming the known sources if there is none
         */
        public static Source fromCliName(String name) {
            for (Source source : values()) {
                if (source.cliName.equals(name)) {
                    return source;
                }
            }
            throw new IllegalArgumentException(
                    "expected a data set among cifar100, cifar100-python, emnist and"
                            + " fashion-mnist, found '"
                            + name
                            + "'");
        }
    }

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Logger log = LoggerFactory.getLogger(DatasetFetcher.class);

    private final HttpClient client;
    private final URI baseUrl;
    private final ProgressListener listener;

    /** A fetcher for the official hosts, without progress reports. */
    public DatasetFetcher() {
        this(null, ProgressListener.NONE);
    }

    /**
     * A fetcher with a replaced base URL.
     *
     * @param baseUrl when not null, every file is fetched from {@code baseUrl.resolve(name)}
     *     instead of its official URL (end it with {@code /})
     * @param listener receives progress
     */
    public DatasetFetcher(URI baseUrl, ProgressListener listener) {
        this.baseUrl = baseUrl;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.client =
                HttpClient.newBuilder()
                        .followRedirects(HttpClient.Redirect.NORMAL)
                        .connectTimeout(CONNECT_TIMEOUT)
                        .build();
    }

    /**
     * Downloads and verifies the files of {@code source} into {@code dir} and unpacks what its
     * loader needs.
     *
     * @return the folder to load from: {@code dir/cifar-100-binary} for {@link Cifar100#load},
     *     {@code dir/cifar-100-python} for {@link Cifar100#loadPython}, {@code dir/emnist-balanced}
     *     for {@link Emnist#load(Path)}, {@code dir} for {@link FashionMnist#load}
     * @throws DatasetException on an HTTP error, a checksum mismatch or a bad archive
     * @throws IOException if the network or the disk fails; run again to resume
     */
    public Path fetch(Source source, Path dir) throws IOException {
        Objects.requireNonNull(source, "source");
        Files.createDirectories(dir);
        for (RemoteFile file : source.files()) {
            download(file, dir);
        }
        Path target = dir.resolve(source.folder).normalize();
        Path archive = dir.resolve(source.files().get(0).name());
        switch (source) {
            case CIFAR100 ->
                    Archives.extractTarGz(
                            archive,
                            members(
                                    "cifar-100-binary/",
                                    target,
                                    "train.bin",
                                    "test.bin",
                                    "fine_label_names.txt",
                                    "coarse_label_names.txt"));
            case CIFAR100_PYTHON ->
                    Archives.extractTarGz(
                            archive, members("cifar-100-python/", target, "train", "test", "meta"));
            case EMNIST ->
                    Archives.extractZip(
                            archive,
                            members(
                                    "gzip/emnist-balanced-",
                                    target,
                                    "train-images-idx3-ubyte.gz",
                                    "train-labels-idx1-ubyte.gz",
                                    "test-images-idx3-ubyte.gz",
                                    "test-labels-idx1-ubyte.gz",
                                    "mapping.txt"));
            case FASHION_MNIST -> {
                // Used as downloaded: the loader reads the gzipped IDX files directly.
            }
        }
        log.info("Data set {} is ready in {}", source.cliName(), target);
        return target;
    }

    /** Maps archive members {@code prefix + suffix} to {@code folder/<last name segment>}. */
    private static Map<String, Path> members(String prefix, Path folder, String... suffixes) {
        Map<String, Path> members = new LinkedHashMap<>();
        for (String suffix : suffixes) {
            String name = prefix + suffix;
            members.put(name, folder.resolve(name.substring(name.lastIndexOf('/') + 1)));
        }
        return members;
    }

    /**
     * Makes {@code dir/<file.name()>} hold the published file: keeps a valid existing copy,
     * otherwise downloads (resuming {@code <name>.part} if present), verifies and renames.
     *
     * @return the verified file
     * @throws DatasetException on an HTTP status other than 200 or 206, or a digest mismatch (the
     *     download is then deleted)
     * @throws IOException if the network or the disk fails; the {@code .part} file is kept so a
     *     later call resumes
     */
    public Path download(RemoteFile file, Path dir) throws IOException {
        Objects.requireNonNull(file, "file");
        Files.createDirectories(dir);
        Path target = dir.resolve(file.name());
        if (Files.isRegularFile(target)) {
            String found = digest(target, file.algorithm());
            if (found.equals(file.digest())) {
                log.info("{} is present and valid; not downloading it again", target);
                long size = Files.size(target);
                listener.progress(file.name(), size, size);
                return target;
            }
            log.warn(
                    "{} is present but its {} is {}, not {}; downloading it again",
                    target,
                    file.algorithm(),
                    found,
                    file.digest());
        }
        Path part = dir.resolve(file.name() + ".part");
        URI url = baseUrl == null ? file.url() : baseUrl.resolve(file.name());
        receive(url, file, part);
        String found = digest(part, file.algorithm());
        if (!found.equals(file.digest())) {
            Files.deleteIfExists(part);
            throw new DatasetException(
                    String.format(
                            "%s: expected %s %s, found %s; the download was deleted",
                            target, file.algorithm(), file.digest(), found));
        }
        Archives.move(part, target);
        log.info("Downloaded and verified {}", target);
        return target;
    }

    /** Brings {@code part} to the full content of {@code url}, resuming when it can. */
    private void receive(URI url, RemoteFile file, Path part) throws IOException {
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        if (file.size() >= 0 && have > file.size()) {
            Files.delete(part);
            have = 0;
        }
        if (file.size() >= 0 && have == file.size()) {
            // Complete already (the earlier run died before verifying).
            return;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(url).GET();
        if (have > 0) {
            request.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> response = send(request.build(), url);
        try (InputStream body = response.body()) {
            int status = response.statusCode();
            if (status == 416 && have > 0) {
                // The part may hold the whole file, or junk: start again from nothing.
                log.info("{} answered 416 to a resume at byte {}; starting over", url, have);
                Files.delete(part);
                receive(url, file, part);
                return;
            }
            boolean append = status == 206;
            if (append) {
                checkContentRange(url, response, have);
            } else if (status == 200) {
                if (have > 0) {
                    log.info("{} ignored the range request; downloading from the start", url);
                }
                have = 0;
            } else {
                throw new DatasetException(
                        "GET " + url + ": expected HTTP 200 or 206, found " + status);
            }
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            long total = length >= 0 ? have + length : file.size();
            copy(body, part, append, have, total, file.name());
        }
    }

    private HttpResponse<InputStream> send(HttpRequest request, URI url) throws IOException {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("GET " + url + ": interrupted", e);
        }
    }

    private static void checkContentRange(URI url, HttpResponse<?> response, long have)
            throws DatasetException {
        String range = response.headers().firstValue("Content-Range").orElse("");
        Matcher matcher = CONTENT_RANGE.matcher(range);
        if (!matcher.matches() || Long.parseLong(matcher.group(1)) != have) {
            throw new DatasetException(
                    "GET "
                            + url
                            + ": expected Content-Range 'bytes "
                            + have
                            + "-...', found '"
                            + range
                            + "'");
        }
    }

    private void copy(
            InputStream body, Path part, boolean append, long have, long total, String name)
            throws IOException {
        StandardOpenOption mode =
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
        byte[] buffer = new byte[1 << 16];
        long done = have;
        try (OutputStream out =
                Files.newOutputStream(
                        part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
            listener.progress(name, done, total);
            for (int read = body.read(buffer); read >= 0; read = body.read(buffer)) {
                out.write(buffer, 0, read);
                done += read;
                listener.progress(name, done, total);
            }
        }
        if (total >= 0 && done != total) {
            throw new DatasetException(
                    String.format(
                            "%s: expected %d bytes, found %d when the connection closed; run"
                                    + " again to resume",
                            part, total, done));
        }
    }

    /** The hex digest of a file with {@code algorithm} ({@code MD5} or {@code SHA-256}). */
    static String digest(Path file, String algorithm) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide MD5 and SHA-256 (MessageDigest's contract).
            throw new IllegalStateException(algorithm + " is not available", e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                digest.update(buffer, 0, read);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
