using Paperboy.Bench;

// Benchmarks' helpers and baselines, run by the scripts in bench/.
return args.FirstOrDefault() switch
{
    "baseline-insert" => BaselineInsert.Run(args[1..]),
    "baseline-copy" => await BaselineCopy.RunAsync(args[1..]),
    "drop-schema" => await BaselineCopy.DropSchemaAsync(args[1..]),
    "fake-arxiv" => await Harvest.ServeAsync(args[1..]),
    "fetch-only" => await Harvest.FetchOnlyAsync(args[1..]),
    "embed" => await EmbedBench.RunAsync(args[1..]),
    "search" => await SearchBench.LatencyAsync(args[1..]),
    "vectors" => await SearchBench.VectorsAsync(args[1..]),
    "community" => await CommunitySeed.RunAsync(args[1..]),
    "digest-bench" => await DigestBench.RunAsync(args[1..]),
    "smtp-sink" => await ClusterBench.SmtpSinkAsync(args[1..]),
    "cluster-seed" => await ClusterBench.SeedAsync(args[1..]),
    "recommend-variants" => await RecommendVariants.RunAsync(args[1..]),
    "recommend-speed" => RecommendBench.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Paperboy.Bench baseline-insert LISTINGS DATA | baseline-copy LISTINGS CONNECTION_STRING | drop-schema CONNECTION_STRING | fake-arxiv LISTINGS PAGE_SIZE [--feed-day DAY] [--log FILE] | fetch-only OAI_URL SET FROM | embed ours|baseline N [--threads T] [--batch B] | search DATA [QUERIES] | vectors DATA N QUERIES | community --data DIR --members N --papers P --day DAY [--from DAY] --votes V --comments C --tokens FILE | digest-bench --listings DIR [--days D1,D2,...] [--subscribers N] [--data DIR] | smtp-sink LOG | cluster-seed --connection CS --members N --papers P --tokens FILE | recommend-variants DATA SPLIT [MEMBERS] [SEED] [NAMES...]");
    return 2;
}
