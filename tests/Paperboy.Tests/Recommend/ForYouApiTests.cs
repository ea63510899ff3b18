using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Paperboy.Core.Library;
using Paperboy.Core.Papers;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Recommend;

/// <summary>GET /api/me/recommendations: the week's new papers ranked for the member from their signals, with reasons.</summary>
public sealed class ForYouApiTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Recommendations_follow_the_members_signals_and_say_why(string provider)
    {
        await using var db = await TestStore.CreateAsync(provider);
        await Importing.ImportAsync(db.Store, TestData.Listing("2025-03-18"), TestData.Listing("2025-03-19"), TestData.Listing("2025-03-20"));
        await using var factory = new PaperboyFactory(db);
        using var anonymous = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/api/me/recommendations", UriKind.Relative))).StatusCode);

        var (user, token) = await MemberSessions.WithTokenAsync(factory.Services, "ada");
        using var http = factory.CreateClient();
        async Task<JsonElement> GetAsync(string query = "")
        {
            using var response = await http.SendAsync(MemberSessions.Bearer(HttpMethod.Get, "/api/me/recommendations" + query, token));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        }

        var cold = await GetAsync();
        Assert.Equal(0, cold.GetProperty("positives").GetInt32());
        Assert.Empty(cold.GetProperty("items").EnumerateArray()); // nothing to learn from yet

        var liked = (await db.Store.GetListingAsync(new ListingQuery(ListingPeriod.Day(new DateOnly(2025, 3, 19)), "cs.CL", ListingSort.Published, 0, 1))).Items[0].Paper;
        var library = factory.Services.GetRequiredService<ILibraryStore>();
        await library.SaveAsync(user.Id, liked.Id, ["nlp"], DateTimeOffset.UtcNow);
        var warm = await GetAsync("?limit=20");
        var items = warm.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(20, items.Count);
        Assert.DoesNotContain(items, i => i.GetProperty("id").GetString() == liked.Id);
        var top = items[0];
        Assert.Equal(liked.Id, top.GetProperty("because")[0].GetProperty("id").GetString());
        Assert.NotEmpty(top.GetProperty("sharedTerms").EnumerateArray());
        var scores = items.Select(i => i.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(scores.OrderByDescending(s => s), scores);

        // "Not interested" in the top one: gone, and the last signal wins when it is saved after all.
        var topId = top.GetProperty("id").GetString()!;
        await library.MarkNotInterestedAsync(user.Id, topId, DateTimeOffset.UtcNow.AddSeconds(1));
        var after = (await GetAsync("?limit=20")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()).ToList();
        Assert.DoesNotContain(topId, after);
        Assert.Equal(1, (await GetAsync()).GetProperty("negatives").GetInt32());

        foreach (var bad in new[] { "?days=0", "?days=40", "?limit=0", "?category=%3Cb%3E" })
        {
            using var response = await http.SendAsync(MemberSessions.Bearer(HttpMethod.Get, "/api/me/recommendations" + bad, token));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
    }
}
