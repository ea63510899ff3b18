using System.Diagnostics;
using System.Globalization;
using Paperboy.Core.Recommend;

namespace Paperboy.Bench;

/// <summary>
/// recommend-speed [--candidates 5000] [--members 10000] [--seed 1]: the recommender's speed on synthetic papers.
/// One member over the candidates: ranking with the model cached (p50/p99) and retraining (p50/p99), against a
/// baseline in the same run: a brute dense dot product (384-d, the embedding size) over as many vectors, with a top 50.
/// Then the nightly pass's work over many members with synthetic signals (train + rank top 50 each): time and peak RSS.
/// </summary>
internal static class RecommendBench
{
    public static int Run(string[] args)
    {
        int Arg(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        var candidates = Arg("--candidates", 5000);
        var members = Arg("--members", 10000);
        var rng = new Random(Arg("--seed", 1));
        // A vocabulary with a few topics: each paper draws most words from its topic, some from everywhere.
        var vocabulary = Enumerable.Range(0, 6000).Select(i => "w" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        RecommendPaper Paper(int i)
        {
            var topic = rng.Next(40);
            string Words(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => vocabulary[rng.NextDouble() < 0.7 ? topic * 150 + rng.Next(150) : rng.Next(vocabulary.Length)]));
            return new RecommendPaper("2601." + i.ToString("D5", CultureInfo.InvariantCulture), Words(10), Words(150), ["cs.T" + topic.ToString(CultureInfo.InvariantCulture)], []);
        }
        var sw = Stopwatch.StartNew();
        var papers = Enumerable.Range(0, candidates).Select(Paper).ToArray();
        var history = Enumerable.Range(candidates, 2000).Select(Paper).ToArray();
        var pool = CandidatePool.Build(papers);
        Console.WriteLine($"pool of {pool.Count:N0} synthetic candidates built in {sw.Elapsed.TotalMilliseconds:F0} ms");
        MemberSignals Signals() => new([.. Enumerable.Range(0, 20).Select(_ => history[rng.Next(history.Length)])], [.. Enumerable.Range(0, 5).Select(_ => history[rng.Next(history.Length)])]);

        var signals = Signals();
        var model = MemberModel.Train(signals, pool.Keywords, pool.Settings);
        for (var i = 0; i < 20; i++)
            model.Recommend(pool, 50);
        var rank = Time(300, () => model.Recommend(pool, 50));
        var train = Time(100, () => MemberModel.Train(signals, pool.Keywords, pool.Settings));
        var vectors = Enumerable.Range(0, candidates).Select(_ => Enumerable.Range(0, 384).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray()).ToArray();
        var query = vectors[0];
        var dense = Time(300, () =>
        {
            var scores = new float[vectors.Length];
            for (var i = 0; i < vectors.Length; i++)
                scores[i] = System.Numerics.Tensors.TensorPrimitives.Dot(vectors[i], query);
            return scores.Select((s, i) => (s, i)).OrderByDescending(x => x.s).Take(50).ToList();
        });
        Console.WriteLine($"one member, {candidates:N0} candidates, 20 positives, 5 negatives");
        Console.WriteLine($"  rank, model cached (top 50)     p50 {rank.P50,7:F2} ms  p99 {rank.P99,7:F2} ms   goal p99 < 50 ms: {(rank.P99 < 50 ? "met" : "NOT met")}");
        Console.WriteLine($"  retrain one member              p50 {train.P50,7:F2} ms  p99 {train.P99,7:F2} ms   goal < 200 ms: {(train.P99 < 200 ? "met" : "NOT met")}");
        Console.WriteLine($"  baseline: dense 384-d dot + top 50  p50 {dense.P50,7:F2} ms  p99 {dense.P99,7:F2} ms   (ours/baseline p50: {rank.P50 / dense.P50:F2}x)");

        // The nightly pass's compute: train and rank for every member (the pass also reads signals and writes lists).
        GC.Collect();
        sw.Restart();
        var stored = 0L;
        for (var m = 0; m < members; m++)
        {
            var mine = MemberModel.Train(Signals(), pool.Keywords, pool.Settings);
            stored += mine.Recommend(pool, 50).Count;
        }
        var elapsed = sw.Elapsed;
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        Console.WriteLine($"nightly compute: {members:N0} members trained and ranked (top 50 each, {stored:N0} items) in {elapsed.TotalSeconds:F1} s, {elapsed.TotalMilliseconds / members:F2} ms a member; peak RSS {self.PeakWorkingSet64 / (1024 * 1024):N0} MB");
        return 0;
    }

    private static (double P50, double P99) Time<T>(int runs, Func<T> action)
    {
        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var t = Stopwatch.GetTimestamp();
            GC.KeepAlive(action());
            times[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        Array.Sort(times);
        return (times[runs / 2], times[Math.Min(runs - 1, (int)Math.Ceiling(runs * 0.99) - 1)]);
    }
}
