using Brunet.Tools.Crawler;

return await CrawlCommand.RunAsync(args, Console.Out, Console.Error, showProgress: !Console.IsErrorRedirected).ConfigureAwait(false);
