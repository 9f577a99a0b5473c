using System.Text;
using Brunet.Addressing;

namespace Brunet.Config;

public static partial class NodeConfigLoader
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// On first run, writes the node's <paramref name="address"/> (derived from its key) into the config at
    /// <paramref name="path"/> without touching anything else: an empty <c>&lt;NodeAddress/&gt;</c> gets the text;
    /// when the element is absent, <c>&lt;NodeAddress&gt;brunet:node:…&lt;/NodeAddress&gt;</c> goes on its own line
    /// after <c>&lt;BrunetNamespace&gt;</c> with the same indentation. Every other byte, comments and formatting
    /// included, stays as it was. The file is replaced atomically (temporary file + rename), keeping its mode; a
    /// symbolic link is followed and its target replaced. Does nothing when the same address is already there.
    /// </summary>
    /// <remarks>
    /// Callers may check first with <see cref="EnsureNodeAddressMatches"/> on the loaded config; this method checks
    /// again against the file as it is now. Only UTF-8 files (with or without BOM) are edited.
    /// </remarks>
    /// <exception cref="ConfigException">
    /// The file is not a valid config, holds a different NodeAddress (the address is derived from the key, so a
    /// different one means a different key), is not UTF-8, or cannot be written.
    /// </exception>
    public static void FillNodeAddress(string path, Address address)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string target = ResolveTarget(path);
        byte[] bytes = ConfigReader.ReadFileBytes(target, RootElement, path);
        bool bom = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble);
        if (!bom && (bytes.AsSpan().StartsWith(Encoding.Unicode.Preamble) || bytes.AsSpan().StartsWith(Encoding.BigEndianUnicode.Preamble)))
        {
            throw new ConfigException(path, RootElement + "/NodeAddress", $"cannot fill in a UTF-16 file; add <NodeAddress>{address}</NodeAddress> by hand or save the file as UTF-8");
        }
        string text;
        try
        {
            text = s_strictUtf8.GetString(bytes, bom ? Encoding.UTF8.Preamble.Length : 0, bytes.Length - (bom ? Encoding.UTF8.Preamble.Length : 0));
        }
        catch (DecoderFallbackException e)
        {
            throw new ConfigException(path, RootElement, "the file is not UTF-8 text", 0, e);
        }

        NodeConfig config = Parse(text, path);
        if (config.NodeAddress == address)
        {
            return;
        }
        if (config.NodeAddress is { } present)
        {
            throw MismatchError(path, config.Security.KeyPath, present, address, 0);
        }

        string edited = NodeAddressEditor.Fill(text, address, path);
        if (Parse(edited, path).NodeAddress != address)
        {
            // The edit is checked before it replaces anything: a file we cannot edit safely stays as it was.
            throw new ConfigException(path, RootElement + "/NodeAddress", $"could not fill in the address; add <NodeAddress>{address}</NodeAddress> by hand");
        }

        byte[] preamble = bom ? Encoding.UTF8.Preamble.ToArray() : [];
        byte[] output = [.. preamble, .. s_strictUtf8.GetBytes(edited)];
        WriteAtomically(path, target, output);
    }

    private static string ResolveTarget(string path)
    {
        string fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            return fullPath;    // reading it reports the missing file by its given name
        }
        try
        {
            FileSystemInfo? link = new FileInfo(fullPath).ResolveLinkTarget(returnFinalTarget: true);
            return link?.FullName ?? fullPath;
        }
        catch (IOException e)
        {
            throw new ConfigException(path, RootElement, $"cannot follow the symbolic link: {e.Message}", 0, e);
        }
    }

    /// <summary>Writes a temporary file beside <paramref name="target"/> with its mode, syncs it, then renames it over.</summary>
    private static void WriteAtomically(string path, string target, byte[] contents)
    {
        string folder = Path.GetDirectoryName(target) ?? ".";
        string temporary = Path.Combine(folder, "." + Path.GetFileName(target) + "." + Convert.ToHexString(Guid.NewGuid().ToByteArray(), 0, 6).ToLowerInvariant() + ".tmp");
        try
        {
            FileStreamOptions options = new() { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            UnixFileMode mode = default;
            if (!OperatingSystem.IsWindows())
            {
                mode = File.GetUnixFileMode(target);
                options.UnixCreateMode = mode & (UnixFileMode.UserRead | UnixFileMode.UserWrite);   // never wider than the original while being written
            }
            using (FileStream stream = new(temporary, options))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, mode);   // exact, whatever the umask
            }
            File.Move(temporary, target, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new ConfigException(path, RootElement + "/NodeAddress", $"cannot write the file to fill in the address: {e.Message}", 0, e);
        }
    }

    private static void TryDelete(string temporary)
    {
        try
        {
            File.Delete(temporary);
        }
        catch (IOException)
        {
            // The original is untouched; a stray temporary file is the lesser problem and is named like a dotfile.
            return;
        }
        catch (UnauthorizedAccessException)
        {
            return;
        }
    }
}
