package io.kingfisher.scoring.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.Arrays;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * A {@link ModelStore} on Flink's {@link FileSystem}: {@code file://} locally, and any scheme
 * with a Flink file system plugin ({@code s3://}, {@code hdfs://}, ...) on a cluster.
 *
 * <p>Layout: {@code <root>/<domain>/v<version>.zip}. A payload is written to a hidden temporary
 * name in the same folder and then renamed, so a reader never sees a partial file on file
 * systems with atomic rename; on object stores, where rename is copy-and-delete, readers are
 * still safe because the snapshot that names the payload is published only after {@link #put}
 * returns.
 *
 * <p>{@link #get} reads only URIs under the root; anything else is refused before it is opened,
 * since the URI comes from a Kafka message. Thread-safe.
 */
public final class FileSystemModelStore implements ModelStore {

    private static final Pattern DOMAIN = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    /** Payloads are read into one byte array. */
    private static final long MAX_PAYLOAD_BYTES = Integer.MAX_VALUE - 8L;

    private final Path root;
    private final URI rootUri;

    /**
     * @param root a URI or path string, e.g. {@code file:///var/kingfisher/models},
     *     {@code s3://bucket/models} or a local path
     * @throws IOException if no file system serves the root's scheme
     */
    public FileSystemModelStore(String root) throws IOException {
        if (root == null || root.isBlank()) {
            throw new IllegalArgumentException("model store root must not be blank");
        }
        Path path = new Path(root);
        FileSystem fs = path.getFileSystem();
        this.root = path.makeQualified(fs);
        this.rootUri = this.root.toUri().normalize();
    }

    /** @return the fully qualified root */
    public URI root() {
        return rootUri;
    }

    /**
     * @param domain  domain name
     * @param version model version
     * @return where {@link #put} writes that version
     */
    public Path pathOf(String domain, long version) {
        if (domain == null || !DOMAIN.matcher(domain).matches()) {
            throw new IllegalArgumentException("domain must match " + DOMAIN.pattern() + ", was " + domain);
        }
        if (version < 0) {
            throw new IllegalArgumentException("version must be >= 0, was " + version);
        }
        return new Path(new Path(root, domain), "v" + version + ".zip");
    }

    @Override
    public URI put(String domain, long version, byte[] payload) throws IOException {
        return write(pathOf(domain, version), payload);
    }

    /**
     * Like {@link #put}, under a name that also carries the payload's hash ({@code v<version>-<sha256 prefix>.zip}),
     * so a trainer that replays from a checkpoint and produces different bytes for a version it had written but never
     * published writes a second file instead of failing; the snapshot names the exact file.
     */
    public URI putContentAddressed(String domain, long version, byte[] payload) throws IOException {
        if (payload == null || payload.length == 0) {
            throw new IllegalArgumentException("payload must not be empty");
        }
        Path plain = pathOf(domain, version);
        String sha = io.kingfisher.scoring.ModelCodec.sha256Hex(payload).substring(0, 16);
        return write(new Path(plain.getParent(), "v" + version + "-" + sha + ".zip"), payload);
    }

    /**
     * Stores a named file of a domain that is not a model (e.g. the golden evaluation set the warm start held out),
     * write-once like payloads.
     *
     * @param name a file name: letters, digits, {@code . _ -}
     */
    public URI putAttachment(String domain, String name, byte[] bytes) throws IOException {
        return write(attachmentPath(domain, name), bytes);
    }

    /** @return the attachment's bytes, or null if there is none of that name */
    public byte[] getAttachment(String domain, String name) throws IOException {
        Path path = attachmentPath(domain, name);
        FileSystem fs = path.getFileSystem();
        return fs.exists(path) ? read(fs, path) : null;
    }

    private Path attachmentPath(String domain, String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new IllegalArgumentException("attachment name must be letters, digits, '.', '_' or '-', was " + name);
        }
        return new Path(pathOf(domain, 0).getParent(), name);
    }

    private URI write(Path target, byte[] payload) throws IOException {
        if (payload == null || payload.length == 0) {
            throw new IllegalArgumentException("payload must not be empty");
        }
        FileSystem fs = target.getFileSystem();
        if (fs.exists(target)) {
            return existing(fs, target, payload);
        }
        Path folder = target.getParent();
        fs.mkdirs(folder);
        Path temp = new Path(folder, "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (OutputStream out = fs.create(temp, FileSystem.WriteMode.NO_OVERWRITE)) {
                out.write(payload);
            }
            if (!fs.rename(temp, target)) {
                if (fs.exists(target)) {
                    return existing(fs, target, payload);
                }
                throw new IOException("could not rename " + temp + " to " + target);
            }
        } finally {
            if (fs.exists(temp)) {
                fs.delete(temp, false);
            }
        }
        return target.toUri();
    }

    private URI existing(FileSystem fs, Path target, byte[] payload) throws IOException {
        if (!Arrays.equals(read(fs, target), payload)) {
            throw new IOException(target + " already exists with different content; versions are write-once");
        }
        return target.toUri();
    }

    @Override
    public byte[] get(URI uri) throws IOException {
        if (uri == null) {
            throw new IllegalArgumentException("uri must not be null");
        }
        Path path = new Path(uri);
        FileSystem fs = path.getFileSystem();
        URI qualified = path.makeQualified(fs).toUri().normalize();
        if (!isUnderRoot(qualified)) {
            throw new IOException("refusing to read " + uri + ": not under the model store root " + rootUri);
        }
        return read(fs, path);
    }

    private boolean isUnderRoot(URI uri) {
        if (!java.util.Objects.equals(uri.getScheme(), rootUri.getScheme())
                || !java.util.Objects.equals(uri.getAuthority(), rootUri.getAuthority())) {
            return false;
        }
        String rootPath = rootUri.getPath().endsWith("/") ? rootUri.getPath() : rootUri.getPath() + "/";
        return uri.getPath() != null && uri.getPath().startsWith(rootPath) && !uri.getPath().contains("/../");
    }

    private static byte[] read(FileSystem fs, Path path) throws IOException {
        FileStatus status = fs.getFileStatus(path);
        if (status.isDir()) {
            throw new IOException(path + " is a directory");
        }
        if (status.getLen() > MAX_PAYLOAD_BYTES) {
            throw new IOException(path + " is too large to load: " + status.getLen() + " bytes");
        }
        try (InputStream in = fs.open(path)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(status.getLen(), 16));
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    @Override
    public String toString() {
        return "FileSystemModelStore{" + rootUri + "}";
    }
}
