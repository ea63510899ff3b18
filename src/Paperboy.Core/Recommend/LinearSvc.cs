namespace Paperboy.Core.Recommend;

/// <summary>Rows of features a linear model trains on: sparse (tf-idf) or dense (embeddings).</summary>
public interface IFeatureRows
{
    int Count { get; }

    /// <summary>The number of features (a weight vector's length, without the bias).</summary>
    int Dimensions { get; }

    double Dot(int row, ReadOnlySpan<double> weights);

    /// <summary>weights += scale · row.</summary>
    void AddTo(int row, Span<double> weights, double scale);

    double SquaredNorm(int row);
}

public sealed class SparseRows(IReadOnlyList<SparseVector> rows, int dimensions) : IFeatureRows
{
    public int Count => rows.Count;
    public int Dimensions => dimensions;
    public double Dot(int row, ReadOnlySpan<double> weights) => rows[row].Dot(weights);
    public void AddTo(int row, Span<double> weights, double scale) => rows[row].AddTo(weights, scale);
    public double SquaredNorm(int row) => rows[row].SquaredNorm();
}

public sealed class DenseRows(IReadOnlyList<float[]> rows, int dimensions) : IFeatureRows
{
    public int Count => rows.Count;
    public int Dimensions => dimensions;

    public double Dot(int row, ReadOnlySpan<double> weights)
    {
        var x = rows[row];
        var sum = 0.0;
        for (var i = 0; i < x.Length; i++)
            sum += x[i] * weights[i];
        return sum;
    }

    public void AddTo(int row, Span<double> weights, double scale)
    {
        var x = rows[row];
        for (var i = 0; i < x.Length; i++)
            weights[i] += scale * x[i];
    }

    public double SquaredNorm(int row)
    {
        var sum = 0.0;
        foreach (var v in rows[row])
            sum += (double)v * v;
        return sum;
    }
}

/// <summary>A trained linear model: score = w · x + bias.</summary>
public sealed class LinearModel(double[] weights, double bias, int iterations)
{
    public ReadOnlySpan<double> Weights => weights;
    public double Bias => bias;

    /// <summary>How many passes over the data training took.</summary>
    public int Iterations => iterations;

    public double Score(IFeatureRows rows, int row)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return rows.Dot(row, weights) + bias;
    }
}

/// <summary>
/// A linear support vector machine as scikit-learn's <c>LinearSVC</c> trains it (liblinear's
/// <c>solve_l2r_l1l2_svc</c>): L2-regularised squared hinge loss, solved in the dual by coordinate descent with
/// shrinking, minimising ½‖w‖² + Σ C_i max(0, 1 − y_i w·x_i)². The bias is a feature of constant value 1
/// (<c>intercept_scaling=1</c>) and so regularised too. With balanced class weights, C_i = C · n / (2 · n_class(i)).
/// Stops when the projected gradient's spread is at most <c>tolerance</c>, or after <c>maxIterations</c> passes.
/// </summary>
public static class LinearSvc
{
    public static LinearModel Train(IFeatureRows rows, IReadOnlyList<bool> positive, double c = 0.01, bool balanced = true,
        double tolerance = 1e-6, int maxIterations = 10_000, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(positive);
        var l = rows.Count;
        if (positive.Count != l)
            throw new ArgumentException($"{l} rows but {positive.Count} labels", nameof(positive));
        var positives = positive.Count(p => p);
        double cp = c, cn = c;
        if (balanced && positives > 0 && positives < l)
        {
            cp = c * l / (2.0 * positives);
            cn = c * l / (2.0 * (l - positives));
        }
        // Squared hinge: no upper bound on alpha, and 1/(2 C_i) on the diagonal of the dual's Hessian.
        double diagP = 0.5 / cp, diagN = 0.5 / cn;
        var n = rows.Dimensions;
        var w = new double[n + 1];                       // the last weight is the bias
        var alpha = new double[l];
        var y = new int[l];
        var qd = new double[l];
        var index = new int[l];
        for (var i = 0; i < l; i++)
        {
            y[i] = positive[i] ? 1 : -1;
            qd[i] = (y[i] > 0 ? diagP : diagN) + rows.SquaredNorm(i) + 1.0;
            index[i] = i;
        }
        var rng = new Random(seed);
        var activeSize = l;
        double pgMaxOld = double.PositiveInfinity, pgMinOld = double.NegativeInfinity;
        var iter = 0;
        while (iter < maxIterations)
        {
            double pgMaxNew = double.NegativeInfinity, pgMinNew = double.PositiveInfinity;
            for (var i = 0; i < activeSize; i++)
            {
                var j = i + rng.Next(activeSize - i);
                (index[i], index[j]) = (index[j], index[i]);
            }
            for (var s = 0; s < activeSize; s++)
            {
                var i = index[s];
                var yi = y[i];
                var g = yi * (rows.Dot(i, w) + w[n]) - 1 + alpha[i] * (yi > 0 ? diagP : diagN);
                var pg = 0.0;
                if (alpha[i] == 0)
                {
                    if (g > pgMaxOld)
                    {
                        // Shrink: this alpha will stay at its bound.
                        activeSize--;
                        (index[s], index[activeSize]) = (index[activeSize], index[s]);
                        s--;
                        continue;
                    }
                    if (g < 0)
                        pg = g;
                }
                else
                {
                    pg = g;
                }
                pgMaxNew = Math.Max(pgMaxNew, pg);
                pgMinNew = Math.Min(pgMinNew, pg);
                if (Math.Abs(pg) > 1e-12)
                {
                    var old = alpha[i];
                    alpha[i] = Math.Max(old - g / qd[i], 0.0);
                    var d = (alpha[i] - old) * yi;
                    rows.AddTo(i, w, d);
                    w[n] += d;
                }
            }
            iter++;
            if (pgMaxNew - pgMinNew <= tolerance)
            {
                if (activeSize == l)
                    break;
                // Converged on the active set: check once more over every row.
                activeSize = l;
                (pgMaxOld, pgMinOld) = (double.PositiveInfinity, double.NegativeInfinity);
                continue;
            }
            pgMaxOld = pgMaxNew <= 0 ? double.PositiveInfinity : pgMaxNew;
            pgMinOld = pgMinNew >= 0 ? double.NegativeInfinity : pgMinNew;
        }
        return new LinearModel(w[..n], w[n], iter);
    }
}
