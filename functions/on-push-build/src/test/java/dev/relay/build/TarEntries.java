package dev.relay.build;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** Reads a (ustar) tar into name → bytes, for asserting on image tarballs and their layers. Test code only. */
final class TarEntries {

    private TarEntries() {
    }

    static Map<String, byte[]> read(Path tar) {
        try (InputStream in = Files.newInputStream(tar)) {
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, byte[]> readGzip(byte[] gzipTar) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipTar))) {
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, byte[]> read(InputStream in) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        String longName = null;
        while (true) {
            byte[] header = in.readNBytes(512);
            if (header.length < 512 || isZero(header)) {
                return entries;
            }
            String name = field(header, 0, 100);
            long size = Long.parseLong(field(header, 124, 12).trim().isEmpty() ? "0" : field(header, 124, 12).trim(), 8);
            char type = (char) header[156];
            String prefix = field(header, 345, 155);
            byte[] content = in.readNBytes((int) size);
            in.readNBytes((int) ((512 - size % 512) % 512));
            if (type == 'x') {
                for (String record : new String(content, StandardCharsets.UTF_8).split("\n")) {
                    int eq = record.indexOf(" path=");
                    if (eq >= 0) {
                        longName = record.substring(eq + 6);
                    }
                }
                continue;
            }
            String fullName = longName != null ? longName : prefix.isEmpty() ? name : prefix + "/" + name;
            longName = null;
            if (type == '0' || type == 0) {
                entries.put(fullName.replaceFirst("^\\./", "").replaceFirst("^/", ""), content);
            }
        }
    }

    private static String field(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
