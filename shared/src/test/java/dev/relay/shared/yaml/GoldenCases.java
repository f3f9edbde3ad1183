package dev.relay.shared.yaml;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/** One golden directory: {@code original.yaml}, {@code expected.yaml} and the setter's {@code case.properties}. */
record GoldenCases(String name, String original, String expected, Properties args) {

    static Stream<GoldenCases> under(String kind) {
        try {
            Path dir = Path.of(GoldenCases.class.getResource("/yaml/" + kind).toURI());
            try (Stream<Path> cases = Files.list(dir)) {
                List<Path> sorted = cases.filter(Files::isDirectory).sorted().toList();
                return sorted.stream().map(GoldenCases::load);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static GoldenCases load(Path dir) {
        try {
            Properties args = new Properties();
            try (InputStream in = Files.newInputStream(dir.resolve("case.properties"))) {
                args.load(in);
            }
            return new GoldenCases(dir.getFileName().toString(),
                    Files.readString(dir.resolve("original.yaml"), StandardCharsets.UTF_8),
                    Files.readString(dir.resolve("expected.yaml"), StandardCharsets.UTF_8), args);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
