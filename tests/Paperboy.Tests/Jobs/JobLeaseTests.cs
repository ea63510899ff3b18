using Paperboy.Core.Jobs;
using Paperboy.Tests.Infrastructure;

namespace Paperboy.Tests.Jobs;

public sealed class JobLeaseTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_held_lease_is_renewed_while_held_released_when_done_and_lost_when_taken_over(string provider)
    {
        await using var db = await TestStore.CreateAsync(provider);
        await using var factory = new PaperboyFactory(db);
        var leases = (IJobLeases)factory.Services.GetService(typeof(IJobLeases))!;
        var term = TimeSpan.FromMilliseconds(600);

        await using (var held = await JobLease.TryTakeAsync(leases, "job", TimeProvider.System, term, "node-a"))
        {
            Assert.NotNull(held);
            Assert.Null(await JobLease.TryTakeAsync(leases, "job", TimeProvider.System, term, "node-b"));
            await Task.Delay(term * 3); // three terms: only the renewals keep it
            Assert.Null(await JobLease.TryTakeAsync(leases, "job", TimeProvider.System, term, "node-b"));
            Assert.False(held.Lost.IsCancellationRequested);
            Assert.Equal("node-a", Assert.Single(await leases.ListAsync()).Owner);
        }
        Assert.Empty(await leases.ListAsync()); // released on dispose

        // A node that stalls past its term loses the lease to another, and learns it at its next renewal.
        var stalled = await JobLease.TryTakeAsync(leases, "job", TimeProvider.System, term, "node-a");
        Assert.NotNull(stalled);
        var now = DateTimeOffset.UtcNow;
        Assert.True(await leases.TryTakeAsync("job", "node-b", now.AddSeconds(5), now.AddMinutes(1))); // as if the term had run out
        await Task.Delay(term);
        Assert.True(stalled.Lost.IsCancellationRequested);
        await stalled.DisposeAsync(); // does not release node-b's lease
        Assert.Equal("node-b", Assert.Single(await leases.ListAsync()).Owner);
    }
}
