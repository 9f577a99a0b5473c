using Brunet.Tools.Bget;

return await BgetCommand.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
