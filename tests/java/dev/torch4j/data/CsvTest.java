package dev.torch4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.torch4j.DType;
import dev.torch4j.Scope;
import dev.torch4j.Tensor;
import dev.torch4j.Torch;

/** Csv.read: columns, dtypes, format details and errors that name the line and column. */
@SuppressWarnings("try") // scopes opened only for what they close
class CsvTest {

    static Path fixture() {
        try {
            return Path.of(CsvTest.class.getResource("/fixtures/data_flowers.csv").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static CsvDataset read(String text, CsvOptions o) throws IOException {
        return Csv.read(new StringReader(text), "t.csv", o);
    }

    static CsvFormatException bad(String text, CsvOptions o) {
        return assertThrows(CsvFormatException.class, () -> read(text, o).close());
    }

    @Test
    void readsFeaturesAndClassLabelsFromTheFixture() throws IOException {
        try (CsvDataset t = Csv.read(fixture())) {
            assertEquals(12, t.size());
            assertEquals(List.of("sepal_length", "sepal_width", "petal_length", "petal_width"), t.featureNames());
            assertEquals("species", t.labelName());
            assertArrayEquals(new long[] {12, 4}, t.features().shape());
            assertEquals(DType.FLOAT32, t.features().dtype());
            assertEquals(DType.INT64, t.labels().dtype());
            assertArrayEquals(new long[] {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}, t.labels().toLongArray());
            assertArrayEquals(new float[] {7.0f, 3.2f, 4.7f, 1.4f}, t.features().select(0, 4).toFloatArray());
        }
    }

    @Test
    void selectsColumnsByNameWithAFloatTarget() throws IOException {
        CsvOptions o = new CsvOptions().features("petal_length", "sepal_length").label("petal_width").labelDType(DType.FLOAT32);
        try (CsvDataset t = Csv.read(fixture(), o)) {
            assertArrayEquals(new long[] {12, 2}, t.features().shape());
            assertArrayEquals(new float[] {1.4f, 5.1f}, t.features().select(0, 0).toFloatArray());
            assertEquals(DType.FLOAT32, t.labels().dtype());
            assertEquals(2.5f, t.labels().toFloatArray()[8]);
        }
    }

    @Test
    void feedsADataLoader() throws IOException {
        try (CsvDataset t = Csv.read(fixture()); Scope s = Torch.scope()) {
            List<Batch> batches = new java.util.ArrayList<>();
            new DataLoader(t, new DataLoaderOptions().batchSize(5).shuffle(true).seed(0)).forEach(batches::add);
            assertEquals(3, batches.size());
            Batch b = batches.get(0);
            assertArrayEquals(new long[] {5, 4}, b.get(0).shape());
            try (Tensor idx = Torch.tensor(b.indices())) {
                assertTrue(b.get(0).equal(t.features().indexSelect(0, idx)));
                assertTrue(b.get(1).equal(t.labels().indexSelect(0, idx)));
            }
        }
    }

    @Test
    void noHeaderDelimiterQuotesBlankLinesAndSpecialValues() throws IOException {
        String text = "\uFEFF1; \"2.5\" ;3\r\n\n  -4e1;nan; 0\n.5;-Inf;+7\n";
        CsvOptions o = new CsvOptions().header(false).delimiter(';').features(1, 0).label(2);
        try (CsvDataset t = read(text, o)) {
            assertEquals(List.of("column 1", "column 0"), t.featureNames());
            float[] f = t.features().toFloatArray();
            assertEquals(2.5f, f[0]);
            assertEquals(1f, f[1]);
            assertTrue(Float.isNaN(f[2]));
            assertEquals(-40f, f[3]);
            assertEquals(Float.NEGATIVE_INFINITY, f[4]);
            assertEquals(0.5f, f[5]);
            assertArrayEquals(new long[] {3, 0, 7}, t.labels().toLongArray());
        }
    }

    @Test
    void noLabelGivesFeatureOnlySamples() throws IOException {
        try (CsvDataset t = read("a,b\n1,2\n3,4\n", new CsvOptions().noLabel())) {
            assertFalse(t.hasLabels());
            assertArrayEquals(new long[] {2, 2}, t.features().shape());
            assertThrows(IllegalStateException.class, t::labels);
            List<Tensor> row = t.get(1);
            assertEquals(1, row.size());
            assertArrayEquals(new float[] {3, 4}, row.get(0).toFloatArray());
            row.forEach(Tensor::close);
        }
    }

    @Test
    void closingTheDatasetFreesItsTensors() throws IOException {
        CsvDataset t = Csv.read(fixture());
        Tensor x = t.features(), y = t.labels();
        t.close();
        assertTrue(x.isClosed() && y.isClosed());
    }

    @Test
    void aBadNumberNamesTheLineAndColumn() {
        CsvFormatException e = bad("a,b,label\n1,2,0\n3,x4,1\n", new CsvOptions());
        assertEquals("t.csv:3: column 1 ('b'): not a number: 'x4'", e.getMessage());
        assertEquals(3, e.line());
        assertEquals(1, e.column());
        // Java's parser would take "1f" and "0x1p3"; a CSV number must be decimal.
        assertTrue(bad("a,l\n1f,0\n", new CsvOptions()).getMessage().contains("'1f'"));
        assertTrue(bad("a,l\n0x1p3,0\n", new CsvOptions()).getMessage().contains("'0x1p3'"));
        assertTrue(bad("a,l\n,0\n", new CsvOptions()).getMessage().contains("empty value"));
    }

    @Test
    void aNonIntegerClassIdIsAnError() {
        CsvFormatException e = bad("a,label\n1,0\n2,1.5\n", new CsvOptions());
        assertTrue(e.getMessage().startsWith("t.csv:3: column 1 ('label'): not an integer class id: '1.5'"), e.getMessage());
    }

    @Test
    void raggedRowsNameTheLineAndTheExpectedWidth() {
        CsvFormatException e = bad("a,b,c\n1,2,3\n\n4,5\n", new CsvOptions());
        assertEquals("t.csv:4: expected 3 fields (as the header), found 2", e.getMessage());
        e = bad("1,2\n3,4,5\n", new CsvOptions().header(false));
        assertEquals("t.csv:2: expected 2 fields (as line 1), found 3", e.getMessage());
    }

    @Test
    void unknownColumnsAndBadQuotesAreErrors() {
        assertTrue(bad("a,b\n1,2\n", new CsvOptions().label("c")).getMessage().contains("no label column named 'c'"));
        assertTrue(bad("a,b\n1,2\n", new CsvOptions().features(5)).getMessage().contains("feature column 5 does not exist"));
        assertTrue(bad("a,a,l\n1,2,0\n", new CsvOptions().features("a")).getMessage().contains("ambiguous"));
        assertTrue(bad("a,l\n\"1,0\n", new CsvOptions()).getMessage().contains("t.csv:2: column 0: unterminated quoted field"));
        assertTrue(bad("a,l\n\"1\"x,0\n", new CsvOptions()).getMessage().contains("after a closing quote"));
        assertTrue(bad("", new CsvOptions()).getMessage().contains("empty"));
        assertTrue(bad("label\n1\n", new CsvOptions()).getMessage().contains("no feature columns"));
        assertThrows(IllegalArgumentException.class, () -> read("1,2\n", new CsvOptions().header(false).label("x")));
        assertThrows(IllegalArgumentException.class, () -> new CsvOptions().labelDType(DType.FLOAT64));
    }

    @Test
    void errorsFromAFileNameThePath(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("broken.csv");
        Files.writeString(p, "a,l\n1,0\n2,zero\n");
        CsvFormatException e = assertThrows(CsvFormatException.class, () -> Csv.read(p).close());
        assertTrue(e.getMessage().startsWith(p + ":3: column 1 ('l')"), e.getMessage());
    }
}
