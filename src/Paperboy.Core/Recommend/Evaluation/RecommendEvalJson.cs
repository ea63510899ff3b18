using System.Text.Json;
using System.Text.Json.Nodes;

namespace Paperboy.Core.Recommend.Evaluation;

/// <summary><c>{"members": N, "systems": {"ours": {"ndcg@10", "recall@50", "mrr"}, ...}}</c>, systems in the report's order.</summary>
public static class RecommendEvalJson
{
    public static string Write(RecommendEvalReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var systems = new JsonObject();
        foreach (var s in report.Systems)
        {
            systems[s.Name] = new JsonObject
            {
                ["ndcg@10"] = Math.Round(s.NdcgAt10, 4),
                ["recall@50"] = Math.Round(s.RecallAt50, 4),
                ["mrr"] = Math.Round(s.Mrr, 4),
            };
        }
        return new JsonObject { ["members"] = report.Members, ["systems"] = systems }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
