package dev.torch4j.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Writes loss (or any metric) curves as a PNG chart, headless. */
public final class LossCurve {
    private LossCurve() {}

    /**
     * Plots each named series against its 1-based index (epochs) and writes {@code png}, creating parent
     * directories. Series may have different lengths; empty series are skipped.
     */
    public static void writePng(Path png, String title, Map<String, double[]> series) throws IOException {
        if (series.isEmpty() || series.values().stream().allMatch(v -> v.length == 0))
            throw new IllegalArgumentException("series: nothing to plot");
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(800).height(480).title(title).xAxisTitle("epoch").yAxisTitle("value").build();
        chart.getStyler().setMarkerSize(0);
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            double[] y = e.getValue();
            if (y.length == 0) continue;
            double[] x = new double[y.length];
            for (int i = 0; i < y.length; i++) x[i] = i + 1;
            chart.addSeries(e.getKey(), x, y).setMarker(SeriesMarkers.NONE);
        }
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        String name = png.toString();
        String base = name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
        BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
    }

    /** Convenience for one series. */
    public static void writePng(Path png, String title, String name, double[] values) throws IOException {
        Map<String, double[]> m = new LinkedHashMap<>();
        m.put(name, values);
        writePng(png, title, m);
    }
}
