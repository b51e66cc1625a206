package io.depthlab.dsl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders {@link Network#summary()}: a header line, one row per layer (residual bodies indented
 * under their block, then the block's projection and activation), and a total line.
 *
 * <p>Columns are as wide as their longest entry, so long names never shift the numbers. A residual
 * block's own row shows its parameters and FLOPs in parentheses: they are the sum of the indented
 * rows below it, and the total counts them once. Numbers use {@link Locale#ROOT} so the text is the
 * same on every machine.
 */
final class NetworkSummary {

    private static final String[] HEADER = {"#", "layer", "kind", "output", "parameters", "FLOPs"};

    /** Columns from this index on hold numbers and are right-aligned. */
    private static final int FIRST_NUMBER_COLUMN = 4;

    private static final String INDENT = "  ";

    private NetworkSummary() {}

    static String render(Network network) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (int i = 0; i < network.layers().size(); i++) {
            addRows(rows, String.valueOf(i), "", network.layers().get(i), network.inputShapeOf(i));
        }
        int[] widths = widths(rows);
        StringBuilder out = new StringBuilder();
        out.append(
                String.format(
                        Locale.ROOT,
                        "Network '%s', input %s%n",
                        network.name(),
                        network.inputShape()));
        for (String[] row : rows) {
            appendRow(out, row, widths);
        }
        out.append(
                String.format(
                        Locale.ROOT,
                        "Total: %,d parameters, %,d FLOPs per example (%.1f MFLOP)%n",
                        network.parameterCount(),
                        network.flops(),
                        network.flops() / 1e6));
        return out.toString();
    }

    private static void addRows(
            List<String[]> rows, String index, String indent, Layer layer, Shape input) {
        rows.add(row(index, indent, layer, input));
        if (!(layer instanceof Residual residual)) {
            return;
        }
        String inner = indent + INDENT;
        Shape shape = input;
        for (Layer bodyLayer : residual.body()) {
            addRows(rows, "", inner, bodyLayer, shape);
            shape = bodyLayer.outputShape(shape);
        }
        residual.projection().ifPresent(p -> rows.add(row("", inner, p, input)));
        Shape sum = shape;
        residual.activation().ifPresent(a -> rows.add(row("", inner, a, sum)));
    }

    private static String[] row(String index, String indent, Layer layer, Shape input) {
        String parameters = String.format(Locale.ROOT, "%,d", layer.parameterCount(input));
        String flops = String.format(Locale.ROOT, "%,d", layer.flops(input));
        if (layer instanceof Residual) {
            parameters = "(" + parameters + ")";
            flops = "(" + flops + ")";
        }
        return new String[] {
            index,
            indent + layer.name(),
            layer.kind(),
            layer.outputShape(input).toString(),
            parameters,
            flops
        };
    }

    private static int[] widths(List<String[]> rows) {
        int[] widths = new int[HEADER.length];
        for (String[] row : rows) {
            for (int column = 0; column < row.length; column++) {
                widths[column] = Math.max(widths[column], row[column].length());
            }
        }
        return widths;
    }

    private static void appendRow(StringBuilder out, String[] row, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int column = 0; column < row.length; column++) {
            if (column > 0) {
                line.append("  ");
            }
            String cell = row[column];
            String padding = " ".repeat(widths[column] - cell.length());
            line.append(column >= FIRST_NUMBER_COLUMN ? padding + cell : cell + padding);
        }
        out.append(line.toString().stripTrailing()).append(System.lineSeparator());
    }
}
