using Paperboy.Core.Papers;
using Paperboy.Core.Recommend;
using Paperboy.Core.Recommend.Evaluation;

namespace Paperboy.Tests.Recommend;

/// <summary>`eval recommend`'s parts on a small corpus whose answer is known: who is a member, what ours ranks first, and the baselines' rules.</summary>
public sealed class RecommendEvaluationTests
{
    private static readonly DateOnly Split = new(2026, 5, 1);
    private static readonly DateOnly Until = new(2026, 6, 1);

    private static readonly string[][] Topics =
    [
        ["qubit", "entanglement", "decoherence", "transmon", "superconducting", "fidelity", "readout", "cryogenic"],
        ["graph", "vertex", "coloring", "planar", "chromatic", "matching", "treewidth", "bipartite"],
        ["protein", "folding", "residue", "binding", "enzyme", "ligand", "docking", "conformation"],
        ["galaxy", "redshift", "halo", "stellar", "accretion", "quasar", "spectroscopy", "lensing"],
        ["tokenizer", "transformer", "attention", "pretraining", "multilingual", "decoder", "prompting", "corpus"],
    ];

    /// <summary>A paper on one topic: its words in a rotating order so that no two papers are the same text.</summary>
    private static (PaperRecord, DateOnly) Paper(int n, int topic, DateOnly day, params string[] authors)
    {
        var words = Topics[topic];
        string Pick(int k) => words[(n * 3 + k) % words.Length];
        var title = $"On {Pick(0)} {Pick(1)} and {Pick(2)}";
        var abs = $"We study {Pick(0)} {Pick(1)} with {Pick(3)} {Pick(4)}. Our {Pick(5)} {Pick(6)} improves {Pick(7)} {Pick(2)} in experiments.";
        var id = $"2604.{n:D5}";
        return (new PaperRecord { Id = id, Title = title, Abstract = abs, Authors = [.. authors], Categories = [$"cat.{topic}"], PublishedOn = day }, day);
    }

    private static EvalCorpus Corpus(Func<string, string>? rename = null)
    {
        rename ??= a => a;
        var papers = new List<(PaperRecord, DateOnly)>();
        var n = 0;
        var early = new DateOnly(2026, 3, 1);
        // Ada writes on qubits: six papers before the split, one in the window.
        for (var i = 0; i < 6; i++)
            papers.Add(Paper(n++, 0, early.AddDays(i), rename("Ada Lovelace"), "Co Author " + i));
        // Bob has only four papers before the split: not a member.
        for (var i = 0; i < 4; i++)
            papers.Add(Paper(n++, 1, early.AddDays(i), rename("Bob Four")));
        // Background papers on every topic, before the split.
        for (var i = 0; i < 40; i++)
            papers.Add(Paper(n++, i % Topics.Length, early.AddDays(i % 20), "Someone " + i));
        // The window: Ada's new qubit paper, Bob's, and others on every topic (two more on qubits by others).
        papers.Add(Paper(n++, 0, Split.AddDays(3), rename("Ada Lovelace")));
        papers.Add(Paper(n++, 1, Split.AddDays(4), rename("Bob Four")));
        for (var i = 0; i < 20; i++)
            papers.Add(Paper(n++, (i % (Topics.Length - 1)) + 1, Split.AddDays(i % 25), "Other " + i));
        return EvalCorpus.FromPapers(papers);
    }

    private static EvalSetup Setup(EvalCorpus corpus) =>
        new(corpus, Split, Until, [.. corpus.AnnouncedIn(Split, Until).Select(p => p.Index)], new Dictionary<int, float[]>());

    [Fact]
    public void A_member_is_an_author_with_five_earlier_papers_and_one_in_the_window()
    {
        var corpus = Corpus();
        var members = SimulatedMembers.Qualifying(corpus, Split, Until);
        var ada = Assert.Single(members);
        Assert.Equal("Ada Lovelace", ada.Author);
        Assert.Equal(6, ada.Positives.Count);
        Assert.Equal(corpus.Papers[ada.Positives[0]].Announced, ada.Positives.Max(i => corpus.Papers[i].Announced)); // latest first
        var target = Assert.Single(ada.Targets);
        Assert.True(corpus.Papers[target].Announced >= Split);
        Assert.Equal(SimulatedMembers.Sample(members, 5, 7).Select(m => m.Author), SimulatedMembers.Sample(members, 5, 7).Select(m => m.Author));
    }

    [Fact]
    public void Ours_ranks_the_members_own_new_paper_first_from_text_alone()
    {
        var setup = Setup(Corpus());
        var members = SimulatedMembers.Qualifying(setup.Corpus, Split, Until);
        var score = RecommendEvaluator.Evaluate(setup, members, "ours", () => new OursSystem(setup), CancellationToken.None);
        Assert.Equal(1.0, score.NdcgAt10, 6);
        Assert.Equal(1.0, score.Mrr, 6);

        // Author names are no feature: other names give the same scores.
        var renamed = Setup(Corpus(a => a.ToUpperInvariant() + " X"));
        var renamedMembers = SimulatedMembers.Qualifying(renamed.Corpus, Split, Until);
        Assert.Equal(new OursSystem(setup).Score(members[0]), new OursSystem(renamed).Score(renamedMembers[0]));

        // The random baseline does no such thing, and is the same for the same seed.
        Assert.Equal(new RandomSystem(setup, 3).Score(members[0]), new RandomSystem(setup, 3).Score(members[0]));
        Assert.NotEqual(new RandomSystem(setup, 3).Score(members[0]), new RandomSystem(setup, 4).Score(members[0]));
    }

    [Fact]
    public void Category_newest_puts_the_members_categories_first_newest_first()
    {
        var setup = Setup(Corpus());
        var ada = SimulatedMembers.Qualifying(setup.Corpus, Split, Until)[0];
        var ranked = RecommendEvaluator.Ranked(setup, new CategoryNewestSystem(setup).Score(ada));
        var papers = ranked.Select(id => setup.CandidatePapers.First(p => p.Id == id)).ToList();
        var inCategory = papers.TakeWhile(p => p.Categories.Contains("cat.0")).ToList();
        Assert.NotEmpty(inCategory);
        Assert.DoesNotContain(papers.Skip(inCategory.Count), p => p.Categories.Contains("cat.0"));
        Assert.Equal(inCategory.Select(p => p.Announced).OrderDescending(), inCategory.Select(p => p.Announced));
    }

    [Fact]
    public void The_linear_svm_separates_one_positive_from_many_negatives()
    {
        // One positive at (1, 0.2) among 200 negatives around (0.2, 1): balanced weights keep it from being swamped.
        var rng = new Random(5);
        var rows = new List<float[]> { new[] { 1f, 0.2f } };
        for (var i = 0; i < 200; i++)
            rows.Add([(float)(0.2 + rng.NextDouble() * 0.2), (float)(0.8 + rng.NextDouble() * 0.4)]);
        var labels = rows.Select((_, i) => i == 0).ToArray();
        var features = new DenseRows(rows, 2);
        var model = LinearSvc.Train(features, labels, c: 0.01, balanced: true);
        Assert.True(model.Iterations < 10_000, "converged");
        var positive = model.Score(features, 0);
        Assert.All(Enumerable.Range(1, 200), i => Assert.True(model.Score(features, i) < positive));
        Assert.True(positive > 0, $"the positive is on its side of the boundary ({positive:F3})");
    }
}
