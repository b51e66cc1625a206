package io.depthlab.trainer.engine.conv;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Loop-by-loop reference implementations in double precision, written from the definitions, that
 * the ND4J-backed ops are checked against. Arrays are c-order NCHW {@code double[]}s with explicit
 * shapes.
 */
final class Naive {

    private Naive() {}

    /** A c-order tensor of uniform values in [-1, 1) from {@code seed}. */
    static INDArray random(DataType type, long seed, long... shape) {
        SplittableRandom random = new SplittableRandom(seed);
        long length = 1;
        for (long dim : shape) {
            length *= dim;
        }
        double[] values = new double[Math.toIntExact(length)];
        for (int i = 0; i < values.length; i++) {
            values[i] = 2 * random.nextDouble() - 1;
        }
        return Nd4j.create(values, shape, type);
    }

    static double[] values(INDArray array) {
        return array.dup('c').data().asDouble();
    }

    /**
     * A c-order NHWC copy of an NCHW batch, the engine's layout for the ops under test; vectors
     * ({@code [batch, features]}) as they are.
     */
    static INDArray nhwc(INDArray nchw) {
        return nchw.rank() == 4 ? nchw.permute(0, 2, 3, 1).dup('c') : nchw;
    }

    /**
     * A c-order NCHW copy of an NHWC batch, for comparing with these loops; vectors as they are.
     */
    static INDArray nchw(INDArray nhwc) {
        return nhwc.rank() == 4 ? nhwc.permute(0, 3, 1, 2).dup('c') : nhwc;
    }

    /** [batch, channels, height, width] from [batch, height, width, channels]. */
    static long[] nchwShape(long[] nhwc) {
        return new long[] {nhwc[0], nhwc[3], nhwc[1], nhwc[2]};
    }

    /** [filters, kH, kW, channels] weights from [filters, channels, kH, kW] ones. */
    static INDArray ohwi(INDArray oihw) {
        return oihw.permute(0, 2, 3, 1).dup('c');
    }

    /** y[n,o,i,j] = b[o] + sum over c, u, v of x[n, c, i*s - p + u, j*s - p + v] * w[o,c,u,v]. */
    static double[] convForward(
            double[] x, long[] xShape, double[] w, long[] wShape, double[] b, Window win) {
        int n = (int) xShape[0], c = (int) xShape[1], h = (int) xShape[2], wd = (int) xShape[3];
        int o = (int) wShape[0];
        int oh = win.outputHeight(h), ow = win.outputWidth(wd);
        double[] y = new double[n * o * oh * ow];
        for (int in = 0; in < n; in++) {
            for (int io = 0; io < o; io++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double sum = b == null ? 0 : b[io];
                        for (int ic = 0; ic < c; ic++) {
                            for (int u = 0; u < win.kernelHeight(); u++) {
                                for (int v = 0; v < win.kernelWidth(); v++) {
                                    int r = i * win.strideHeight() - win.paddingHeight() + u;
                                    int q = j * win.strideWidth() - win.paddingWidth() + v;
                                    if (r >= 0 && r < h && q >= 0 && q < wd) {
                                        sum +=
                                                x[((in * c + ic) * h + r) * wd + q]
                                                        * w[
                                                                ((io * c + ic) * win.kernelHeight()
                                                                                        + u)
                                                                                * win.kernelWidth()
                                                                        + v];
                                    }
                                }
                            }
                        }
                        y[((in * o + io) * oh + i) * ow + j] = sum;
                    }
                }
            }
        }
        return y;
    }

    /** Gradients {gradX, gradW, gradB} of sum(g * convForward(x, w, b)). */
    static double[][] convBackward(
            double[] x, long[] xShape, double[] w, long[] wShape, double[] g, Window win) {
        int n = (int) xShape[0], c = (int) xShape[1], h = (int) xShape[2], wd = (int) xShape[3];
        int o = (int) wShape[0];
        int kh = win.kernelHeight(), kw = win.kernelWidth();
        int oh = win.outputHeight(h), ow = win.outputWidth(wd);
        double[] gx = new double[x.length];
        double[] gw = new double[w.length];
        double[] gb = new double[o];
        for (int in = 0; in < n; in++) {
            for (int io = 0; io < o; io++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double gy = g[((in * o + io) * oh + i) * ow + j];
                        gb[io] += gy;
                        for (int ic = 0; ic < c; ic++) {
                            for (int u = 0; u < kh; u++) {
                                for (int v = 0; v < kw; v++) {
                                    int r = i * win.strideHeight() - win.paddingHeight() + u;
                                    int q = j * win.strideWidth() - win.paddingWidth() + v;
                                    if (r >= 0 && r < h && q >= 0 && q < wd) {
                                        int xi = ((in * c + ic) * h + r) * wd + q;
                                        int wi = ((io * c + ic) * kh + u) * kw + v;
                                        gx[xi] += gy * w[wi];
                                        gw[wi] += gy * x[xi];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return new double[][] {gx, gw, gb};
    }

    /**
     * Pooling forward (max: padding never wins; average: divided by the whole window) and, when
     * {@code g} is not null, the input gradient instead.
     */
    static double[] pool(boolean max, double[] x, long[] xShape, Window win, double[] g) {
        int n = (int) xShape[0], c = (int) xShape[1], h = (int) xShape[2], wd = (int) xShape[3];
        int oh = win.outputHeight(h), ow = win.outputWidth(wd);
        double area = win.kernelHeight() * win.kernelWidth();
        double[] y = new double[n * c * oh * ow];
        double[] gx = new double[x.length];
        for (int plane = 0; plane < n * c; plane++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    int out = (plane * oh + i) * ow + j;
                    double best = Double.NEGATIVE_INFINITY;
                    int bestIndex = -1;
                    double sum = 0;
                    for (int u = 0; u < win.kernelHeight(); u++) {
                        for (int v = 0; v < win.kernelWidth(); v++) {
                            int r = i * win.strideHeight() - win.paddingHeight() + u;
                            int q = j * win.strideWidth() - win.paddingWidth() + v;
                            if (r < 0 || r >= h || q < 0 || q >= wd) {
                                continue;
                            }
                            int xi = (plane * h + r) * wd + q;
                            sum += x[xi];
                            if (x[xi] > best) {
                                best = x[xi];
                                bestIndex = xi;
                            }
                            if (!max && g != null) {
                                gx[xi] += g[out] / area;
                            }
                        }
                    }
                    y[out] = max ? best : sum / area;
                    if (max && g != null) {
                        gx[bestIndex] += g[out];
                    }
                }
            }
        }
        return g == null ? y : gx;
    }

    /** Per-channel mean and biased variance over every axis but 1. */
    static double[][] moments(double[] x, long[] shape) {
        int c = (int) shape[1];
        int inner = x.length / (int) shape[0] / c;
        double count = x.length / c;
        double[] mean = new double[c];
        double[] variance = new double[c];
        for (int i = 0; i < x.length; i++) {
            mean[(i / inner) % c] += x[i] / count;
        }
        for (int i = 0; i < x.length; i++) {
            double d = x[i] - mean[(i / inner) % c];
            variance[(i / inner) % c] += d * d / count;
        }
        return new double[][] {mean, variance};
    }

    /** gamma * (x - mean) / sqrt(variance + eps) + beta, per channel (axis 1). */
    static double[] normalize(
            double[] x,
            long[] shape,
            double[] mean,
            double[] variance,
            double[] gamma,
            double[] beta,
            double eps) {
        int c = (int) shape[1];
        int inner = x.length / (int) shape[0] / c;
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int ch = (i / inner) % c;
            y[i] = gamma[ch] * (x[i] - mean[ch]) / Math.sqrt(variance[ch] + eps) + beta[ch];
        }
        return y;
    }

    /**
     * Gradients {gradX, gradGamma, gradBeta} of sum(g * y) in training mode, by the chain rule
     * through the batch mean and variance, term by term as in Ioffe and Szegedy (2015), Algorithm
     * 1's backward pass.
     */
    static double[][] batchNormBackward(
            double[] x, long[] shape, double[] gamma, double eps, double[] g) {
        int c = (int) shape[1];
        int inner = x.length / (int) shape[0] / c;
        double m = x.length / c;
        double[][] stats = moments(x, shape);
        double[] mean = stats[0];
        double[] variance = stats[1];
        double[] gradVariance = new double[c];
        double[] gradMean = new double[c];
        double[] centredSum = new double[c];
        double[] gradGamma = new double[c];
        double[] gradBeta = new double[c];
        for (int i = 0; i < x.length; i++) {
            int ch = (i / inner) % c;
            double std = Math.sqrt(variance[ch] + eps);
            double gradXhat = g[i] * gamma[ch];
            gradVariance[ch] += gradXhat * (x[i] - mean[ch]) * -0.5 / (std * std * std);
            gradMean[ch] += -gradXhat / std;
            centredSum[ch] += x[i] - mean[ch];
            gradGamma[ch] += g[i] * (x[i] - mean[ch]) / std;
            gradBeta[ch] += g[i];
        }
        double[] gradX = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int ch = (i / inner) % c;
            double std = Math.sqrt(variance[ch] + eps);
            double fullGradMean = gradMean[ch] + gradVariance[ch] * -2 * centredSum[ch] / m;
            gradX[i] =
                    g[i] * gamma[ch] / std
                            + gradVariance[ch] * 2 * (x[i] - mean[ch]) / m
                            + fullGradMean / m;
        }
        return new double[][] {gradX, gradGamma, gradBeta};
    }
}
