using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Ipop.Dhcp.Config;

/// <summary>
/// The XML side of loading ipop.config and dhcp.config: a hardened parse (no DTD, no resolver, 1 MiB cap), element
/// paths with line numbers for messages, duplicate checks and the warnings list.
/// </summary>
internal sealed class XmlConfigReader
{
    /// <summary>Largest config file accepted: 1 MiB.</summary>
    public const int MaxFileSize = 1 << 20;

    private const int MaxQuotedLength = 80;

    private readonly List<string> _warnings = [];

    public XmlConfigReader(string file)
    {
        File = file;
    }

    public string File { get; }

    public IReadOnlyList<string> Warnings => _warnings;

    public static string ReadFileText(string path, string rootName)
    {
        try
        {
            if (Directory.Exists(path))
            {
                throw new IpopConfigException(path, rootName, "this is a folder, not a config file");
            }
            FileInfo info = new(path);
            if (!info.Exists)
            {
                throw new IpopConfigException(path, rootName, "file not found");
            }
            if (info.Length > MaxFileSize)
            {
                throw new IpopConfigException(path, rootName, $"the file is larger than {MaxFileSize} bytes; a config file is small");
            }
            byte[] bytes = System.IO.File.ReadAllBytes(path);
            using StreamReader reader = new(new MemoryStream(bytes), new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }
        catch (DecoderFallbackException e)
        {
            throw new IpopConfigException(path, rootName, "the file is not UTF-8 text", 0, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IpopConfigException(path, rootName, "cannot read the file: permission denied", 0, e);
        }
        catch (IOException e)
        {
            throw new IpopConfigException(path, rootName, $"cannot read the file: {FirstLine(e.Message)}", 0, e);
        }
    }

    public XElement ParseRoot(string xmlText, string rootName)
    {
        if (xmlText.Length > MaxFileSize)
        {
            throw new IpopConfigException(File, rootName, $"the file is larger than {MaxFileSize} bytes; a config file is small");
        }
        XmlReaderSettings settings = new()
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxFileSize,
            MaxCharactersFromEntities = 1024,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
        };
        XDocument document;
        try
        {
            using XmlReader reader = XmlReader.Create(new StringReader(xmlText), settings);
            document = XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        catch (XmlException e)
        {
            string reason = xmlText.Contains("<!DOCTYPE", StringComparison.Ordinal)
                ? "a DTD (<!DOCTYPE ...>) is not allowed in a config file"
                : $"not well-formed XML: {FirstLine(e.Message)}";
            throw new IpopConfigException(File, rootName, reason, e.LineNumber, e);
        }
        XElement root = document.Root ?? throw new IpopConfigException(File, rootName, "the file has no root element");
        if (root.Name.LocalName != rootName)
        {
            throw new IpopConfigException(File, root.Name.LocalName, $"expected the root element <{rootName}>, got <{root.Name.LocalName}>", LineOf(root));
        }
        return root;
    }

    public static string PathOf(XElement element)
    {
        Stack<string> parts = new();
        for (XElement? e = element; e is not null; e = e.Parent)
        {
            string name = e.Name.LocalName;
            if (e.Parent is { } parent)
            {
                List<XElement> same = parent.Elements().Where(s => s.Name.LocalName == name).ToList();
                if (same.Count > 1)
                {
                    name += "[" + (same.IndexOf(e) + 1).ToString(CultureInfo.InvariantCulture) + "]";
                }
            }
            parts.Push(name);
        }
        return string.Join('/', parts);
    }

    public static int LineOf(XObject node) => node is IXmlLineInfo info && info.HasLineInfo() ? info.LineNumber : 0;

    public IpopConfigException Error(XElement element, string reason) => new(File, PathOf(element), reason, LineOf(element));

    public IpopConfigException Missing(XElement parent, string name, string expected) =>
        new(File, PathOf(parent) + "/" + name, $"missing: expected {expected}", LineOf(parent));

    public void Warn(XObject node, string path, string message) =>
        _warnings.Add(IpopConfigException.Format(File, path, message, LineOf(node)));

    /// <summary>The only child named <paramref name="name"/>, or null; a second one is an error.</summary>
    public XElement? Single(XElement parent, string name)
    {
        XElement? found = null;
        foreach (XElement child in parent.Elements().Where(c => c.Name.LocalName == name))
        {
            if (found is not null)
            {
                throw Error(child, $"duplicate <{name}> (the first is on line {LineOf(found)}); it may appear once");
            }
            found = child;
        }
        return found;
    }

    /// <summary>The element's text, trimmed; an element where a value belongs is an error.</summary>
    public string Text(XElement element)
    {
        if (element.Elements().FirstOrDefault() is { } child)
        {
            throw Error(element, $"expected a value, got an element <{child.Name.LocalName}>");
        }
        return element.Value.Trim();
    }

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

    /// <summary>A dotted IPv4 address, written as four decimal numbers (no shorthand such as <c>10.1</c>).</summary>
    public IPAddress ReadIPv4(XElement element, string what)
    {
        string text = Text(element);
        if (!IPAddress.TryParse(text, out IPAddress? address)
            || address.AddressFamily != AddressFamily.InterNetwork
            || text.Split('.').Length != 4
            || !text.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            throw Error(element, $"expected {what} (a dotted IPv4 address such as 100.64.0.0), got {Quote(text)}");
        }
        return address;
    }

    /// <summary>Warns about every child element this reader does not know; <paramref name="retired"/> are Brunet's, accepted and ignored.</summary>
    public void CheckChildren(XElement parent, IReadOnlyCollection<string> known, IReadOnlyCollection<string>? retired = null)
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
            if (!attribute.IsNamespaceDeclaration && attribute.Name.NamespaceName.Length == 0)
            {
                Warn(attribute, PathOf(parent) + "/@" + attribute.Name.LocalName, "unknown attribute, ignored");
            }
        }
    }

    /// <summary>Resolves a path from the file against the config file's folder.</summary>
    public static string Resolve(string folder, string path) => Path.GetFullPath(Path.Combine(folder, path));

    public static string FolderOf(string filePath)
    {
        string fullPath = Path.GetFullPath(filePath);
        return Path.GetDirectoryName(fullPath) ?? Path.GetPathRoot(fullPath) ?? "/";
    }

    public static string Quote(string value)
    {
        string trimmed = value.Trim();
        StringBuilder builder = new("'");
        foreach (char c in trimmed.Length > MaxQuotedLength ? trimmed[..MaxQuotedLength] : trimmed)
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }
        return builder.Append(trimmed.Length > MaxQuotedLength ? "...'" : "'").ToString();
    }

    private static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
