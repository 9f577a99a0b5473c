using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Brunet.Config;

/// <summary>
/// The XML side of loading one config file: a hardened parse, element paths with line numbers for messages,
/// duplicate checks and the warnings list. Config files may come from anyone, so no DTD, no external resolver and a
/// size cap. Shared by every loader of an XML config: node.config here, ipop.config and dhcp.config in Ipop.Dhcp.
/// </summary>
public sealed class ConfigReader
{
    /// <summary>Largest config file accepted: 1 MiB (bytes on disk, characters in text).</summary>
    public const int MaxFileSize = 1 << 20;

    private const int MaxQuotedLength = 80;

    private readonly List<string> _warnings = [];

    public ConfigReader(string file)
    {
        File = file;
    }

    /// <summary>The file as named in messages.</summary>
    public string File { get; }

    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Safe settings for any config text: DTDs refused, nothing fetched, size capped.</summary>
    public static XmlReaderSettings CreateSettings() => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = MaxFileSize,
        MaxCharactersFromEntities = 1024,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = true,
    };

    /// <summary>Parses <paramref name="xmlText"/> and checks the root element's name.</summary>
    public XElement ParseRoot(string xmlText, string rootName)
    {
        if (xmlText.Length > MaxFileSize)
        {
            throw new ConfigException(File, rootName, $"the file is larger than {MaxFileSize} bytes; a config file is small");
        }
        XDocument document;
        try
        {
            using XmlReader reader = XmlReader.Create(new StringReader(xmlText), CreateSettings());
            document = XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        catch (XmlException e)
        {
            if (xmlText.Contains("<!DOCTYPE", StringComparison.Ordinal))
            {
                throw new ConfigException(File, rootName, "a DTD (<!DOCTYPE ...>) is not allowed in a config file", e.LineNumber, e);
            }
            throw new ConfigException(File, rootName, $"not well-formed XML: {FirstLine(e.Message)}", e.LineNumber, e);
        }
        XElement root = document.Root ?? throw new ConfigException(File, rootName, "the file has no root element");
        if (root.Name.LocalName != rootName)
        {
            throw new ConfigException(File, root.Name.LocalName, $"expected the root element <{rootName}>, got <{root.Name.LocalName}>", LineOf(root));
        }
        return root;
    }

    /// <summary>
    /// Reads a file's text for <see cref="ParseRoot"/>: UTF-8 (with or without BOM) or UTF-16 with a BOM, at most
    /// 1 MiB. Every failure is a <see cref="ConfigException"/> naming the file.
    /// </summary>
    public static string ReadFileText(string path, string rootName)
    {
        byte[] bytes = ReadFileBytes(path, rootName);
        try
        {
            using StreamReader reader = new(new MemoryStream(bytes), new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }
        catch (DecoderFallbackException e)
        {
            throw new ConfigException(path, rootName, "the file is not UTF-8 text", 0, e);
        }
    }

    /// <summary>
    /// Reads at most 1 MiB of a file, turning every I/O failure into a <see cref="ConfigException"/> that names the
    /// file as <paramref name="displayName"/> (default: <paramref name="path"/>).
    /// </summary>
    public static byte[] ReadFileBytes(string path, string rootName, string? displayName = null)
    {
        string file = displayName ?? path;
        try
        {
            if (Directory.Exists(path))
            {
                throw new ConfigException(file, rootName, "this is a folder, not a config file");
            }
            FileInfo info = new(path);
            if (!info.Exists)
            {
                throw new ConfigException(file, rootName, "file not found");
            }
            if (info.Length > MaxFileSize)
            {
                throw new ConfigException(file, rootName, $"the file is larger than {MaxFileSize} bytes; a config file is small");
            }
            byte[] bytes = System.IO.File.ReadAllBytes(path);
            if (bytes.Length > MaxFileSize)
            {
                throw new ConfigException(file, rootName, $"the file is larger than {MaxFileSize} bytes; a config file is small");
            }
            return bytes;
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ConfigException(file, rootName, "cannot read the file: permission denied", 0, e);
        }
        catch (IOException e)
        {
            throw new ConfigException(file, rootName, $"cannot read the file: {FirstLine(e.Message)}", 0, e);
        }
    }

    /// <summary>
    /// The path used in messages: element names from the root down, with a 1-based index where the parent has more
    /// than one child of that name (<c>NodeConfig/EdgeListeners/EdgeListener[2]</c>).
    /// </summary>
    public static string PathOf(XElement element)
    {
        Stack<string> parts = new();
        for (XElement? e = element; e is not null; e = e.Parent)
        {
            string name = e.Name.LocalName;
            if (e.Parent is { } parent)
            {
                int count = 0;
                int index = 0;
                foreach (XElement sibling in parent.Elements())
                {
                    if (sibling.Name.LocalName == name)
                    {
                        count++;
                        if (ReferenceEquals(sibling, e))
                        {
                            index = count;
                        }
                    }
                }
                if (count > 1)
                {
                    name += "[" + index.ToString(CultureInfo.InvariantCulture) + "]";
                }
            }
            parts.Push(name);
        }
        return string.Join('/', parts);
    }

    public static int LineOf(XObject node) => node is IXmlLineInfo info && info.HasLineInfo() ? info.LineNumber : 0;

    public ConfigException Error(XElement element, string reason) => new(File, PathOf(element), reason, LineOf(element));

    public ConfigException Error(XAttribute attribute, string reason) =>
        new(File, PathOf(attribute.Parent!) + "/@" + attribute.Name.LocalName, reason, LineOf(attribute));

    /// <summary>A required child is absent: names the path it should have had.</summary>
    public ConfigException Missing(XElement parent, string name, string expected) =>
        new(File, PathOf(parent) + "/" + name, $"missing: expected {expected}", LineOf(parent));

    public void Warn(XObject node, string path, string message) =>
        _warnings.Add(ConfigException.Format(File, path, message, LineOf(node)));

    /// <summary>The only child named <paramref name="name"/>, or null; a second one is an error.</summary>
    public XElement? Single(XElement parent, string name)
    {
        XElement? found = null;
        foreach (XElement child in parent.Elements())
        {
            if (child.Name.LocalName != name)
            {
                continue;
            }
            if (found is not null)
            {
                throw Error(child, $"duplicate <{name}> (the first is on line {LineOf(found)}); it may appear once");
            }
            found = child;
        }
        return found;
    }

    /// <summary>An optional <c>true</c>/<c>false</c> child (any case); <paramref name="defaultValue"/> when absent.</summary>
    public bool ReadBool(XElement parent, string name, bool defaultValue)
    {
        if (Single(parent, name) is not { } element)
        {
            return defaultValue;
        }
        string text = Text(element);
        if (text.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        if (text.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        throw Error(element, $"expected true or false, got {Quote(text)}");
    }

    /// <summary>The folder relative paths in the file at <paramref name="filePath"/> resolve against, as a full path.</summary>
    public static string FolderOf(string filePath)
    {
        string fullPath = Path.GetFullPath(filePath);
        return Path.GetDirectoryName(fullPath) ?? Path.GetPathRoot(fullPath) ?? "/";
    }

    /// <summary>Every child named <paramref name="name"/>, in file order.</summary>
    public static List<XElement> All(XElement parent, string name) =>
        parent.Elements().Where(e => e.Name.LocalName == name).ToList();

    /// <summary>The element's text, trimmed; an element where a value belongs is an error.</summary>
    public string Text(XElement element)
    {
        if (element.Elements().FirstOrDefault() is { } child)
        {
            throw Error(element, $"expected a value, got an element <{child.Name.LocalName}>");
        }
        return element.Value.Trim();
    }

    /// <summary>
    /// Warns about every child element or attribute this reader does not know, and text where only elements belong.
    /// <paramref name="retired"/> names Brunet elements that are accepted and ignored.
    /// </summary>
    public void CheckChildren(XElement parent, IReadOnlyCollection<string> known, IReadOnlyCollection<string>? retired = null, IReadOnlyCollection<string>? attributes = null)
    {
        foreach (XElement child in parent.Elements())
        {
            string name = child.Name.LocalName;
            if (known.Contains(name))
            {
                continue;
            }
            if (retired is not null && retired.Contains(name))
            {
                Warn(child, PathOf(child), "a Brunet element this implementation does not use, ignored");
                continue;
            }
            string? hint = known.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
            Warn(child, PathOf(child), hint is null ? "unknown element, ignored" : $"unknown element, ignored (names are case-sensitive: did you mean <{hint}>?)");
        }
        foreach (XAttribute attribute in parent.Attributes())
        {
            if (attribute.IsNamespaceDeclaration || attribute.Name.NamespaceName.Length != 0)
            {
                continue;   // xmlns and xsi:noNamespaceSchemaLocation: schema plumbing, not settings
            }
            if (attributes is null || !attributes.Contains(attribute.Name.LocalName))
            {
                Warn(attribute, PathOf(parent) + "/@" + attribute.Name.LocalName, "unknown attribute, ignored");
            }
        }
        foreach (XText text in parent.Nodes().OfType<XText>())
        {
            if (!string.IsNullOrWhiteSpace(text.Value))
            {
                Warn(parent, PathOf(parent), $"text {Quote(text.Value)} where only elements belong, ignored");
            }
        }
    }

    /// <summary>A value from the file for a message: quoted, control characters replaced, long values cut.</summary>
    public static string Quote(string value)
    {
        string trimmed = value.Trim();
        StringBuilder builder = new(Math.Min(trimmed.Length, MaxQuotedLength) + 5);
        builder.Append('\'');
        foreach (char c in trimmed.Length > MaxQuotedLength ? trimmed[..MaxQuotedLength] : trimmed)
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }
        if (trimmed.Length > MaxQuotedLength)
        {
            builder.Append("...");
        }
        builder.Append('\'');
        return builder.ToString();
    }

    private static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
