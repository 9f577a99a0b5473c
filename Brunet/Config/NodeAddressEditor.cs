using System.Text.RegularExpressions;
using System.Xml;
using Brunet.Addressing;

namespace Brunet.Config;

/// <summary>
/// The textual edit behind <see cref="NodeConfigLoader.FillNodeAddress"/>: finds NodeAddress or BrunetNamespace
/// through <see cref="XmlReader"/> line positions and changes only the characters it must, so the user's comments,
/// indentation and line endings survive (a DOM save would rewrite them).
/// </summary>
internal static partial class NodeAddressEditor
{
    private const string NodeAddress = "NodeAddress";
    private const string BrunetNamespace = "BrunetNamespace";

    /// <summary>
    /// Returns <paramref name="text"/> with <paramref name="address"/> filled in. The caller has validated the text
    /// and knows NodeAddress is absent or empty.
    /// </summary>
    public static string Fill(string text, Address address, string file)
    {
        string value = address.ToString();
        int[] lineStarts = LineStarts(text);
        ElementSpan? nodeAddress = null;
        ElementSpan? brunetNamespace = null;
        using (XmlReader reader = XmlReader.Create(new StringReader(text), ConfigReader.CreateSettings()))
        {
            IXmlLineInfo info = (IXmlLineInfo)reader;
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element || reader.Depth != 1)
                {
                    continue;
                }
                string name = reader.LocalName;
                if (name is not (NodeAddress or BrunetNamespace))
                {
                    continue;
                }
                ElementSpan span = ReadSpan(reader, info, text, lineStarts, name, file);
                if (name == NodeAddress)
                {
                    nodeAddress = span;
                }
                else
                {
                    brunetNamespace = span;
                }
            }
        }

        if (nodeAddress is { } existing)
        {
            if (existing.IsEmptyElement)
            {
                // <NodeAddress/> becomes <NodeAddress>…</NodeAddress>
                return string.Concat(text.AsSpan(0, existing.Start), $"<{NodeAddress}>{value}</{NodeAddress}>", text.AsSpan(existing.End));
            }
            string content = text[existing.ContentStart..existing.ContentEnd];
            return string.IsNullOrWhiteSpace(content)
                ? string.Concat(text.AsSpan(0, existing.ContentStart), value, text.AsSpan(existing.ContentEnd))
                : text.Insert(existing.ContentStart, value);   // keeps a comment placeholder after the value
        }

        ElementSpan anchor = brunetNamespace
            ?? throw new ConfigException(file, NodeConfigLoader.RootElement + "/" + BrunetNamespace, "missing: expected the overlay's name");
        string element = $"<{NodeAddress}>{value}</{NodeAddress}>";
        int lineStart = LineStartOf(text, anchor.Start);
        string before = text[lineStart..anchor.Start];
        int lineEnd = LineEndOf(text, anchor.End);
        string after = text[anchor.End..lineEnd];
        if (!RestOfLine().IsMatch(after))
        {
            // Something else follows on the same line (a one-line file): insert right after, adding no line.
            return text.Insert(anchor.End, element);
        }
        string indent = before.Length > 0 && before.All(c => c is ' ' or '\t') ? before : (before.Length == 0 ? "" : "  ");
        string newline = lineEnd < text.Length && text[lineEnd] == '\r'
            ? (lineEnd + 1 < text.Length && text[lineEnd + 1] == '\n' ? "\r\n" : "\r")
            : "\n";
        return text.Insert(lineEnd, newline + indent + element);
    }

    private static ElementSpan ReadSpan(XmlReader reader, IXmlLineInfo info, string text, int[] lineStarts, string name, string file)
    {
        int start = Offset(lineStarts, info, 1);
        if (start < 0 || start >= text.Length || text[start] != '<' || string.CompareOrdinal(text, start + 1, reader.Name, 0, reader.Name.Length) != 0)
        {
            throw CannotEdit(file, name);
        }
        int startTagEnd = EndOfTag(text, start, file, name);
        if (reader.IsEmptyElement)
        {
            return new ElementSpan(start, startTagEnd, startTagEnd, startTagEnd, IsEmptyElement: true);
        }
        int depth = reader.Depth;
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth)
            {
                int endTag = Offset(lineStarts, info, 2);
                if (endTag < startTagEnd || endTag + 1 >= text.Length || text[endTag] != '<' || text[endTag + 1] != '/')
                {
                    throw CannotEdit(file, name);
                }
                return new ElementSpan(start, EndOfTag(text, endTag, file, name), startTagEnd, endTag, IsEmptyElement: false);
            }
        }
        throw CannotEdit(file, name);
    }

    /// <summary>
    /// The offset of a tag's '&lt;': XmlReader reports the 1-based line and the column of the name, which follows
    /// <paramref name="nameOffset"/> characters ('&lt;' or '&lt;/').
    /// </summary>
    private static int Offset(int[] lineStarts, IXmlLineInfo info, int nameOffset)
    {
        if (!info.HasLineInfo() || info.LineNumber < 1 || info.LineNumber > lineStarts.Length)
        {
            return -1;
        }
        return lineStarts[info.LineNumber - 1] + info.LinePosition - 1 - nameOffset;
    }

    /// <summary>The offset just past the '&gt;' that closes the tag starting at <paramref name="start"/>; quoted attribute values may hold '&gt;'.</summary>
    private static int EndOfTag(string text, int start, string file, string name)
    {
        char quote = '\0';
        for (int i = start + 1; i < text.Length; i++)
        {
            char c = text[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '>')
            {
                return i + 1;
            }
        }
        throw CannotEdit(file, name);
    }

    /// <summary>Where each line starts, counting line breaks as XmlReader does: "\r\n", "\r" and "\n".</summary>
    private static int[] LineStarts(string text)
    {
        List<int> starts = [0];
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\r')
            {
                if (i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }
                starts.Add(i + 1);
            }
            else if (text[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }
        return starts.ToArray();
    }

    private static int LineStartOf(string text, int offset)
    {
        int i = offset;
        while (i > 0 && text[i - 1] is not ('\n' or '\r'))
        {
            i--;
        }
        return i;
    }

    private static int LineEndOf(string text, int offset)
    {
        int i = offset;
        while (i < text.Length && text[i] is not ('\n' or '\r'))
        {
            i++;
        }
        return i;
    }

    private static ConfigException CannotEdit(string file, string name) => new(
        file, NodeConfigLoader.RootElement + "/" + name, "could not locate the element to fill in NodeAddress; add it by hand");

    /// <summary>Only spaces, tabs and whole comments: the rest of a line where a new line may follow.</summary>
    [GeneratedRegex(@"^[ \t]*(<!--(?:(?!-->).)*-->[ \t]*)*$", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex RestOfLine();

    /// <param name="Start">Offset of the start tag's '&lt;'.</param>
    /// <param name="End">Offset just past the element (its end tag's '&gt;').</param>
    /// <param name="ContentStart">Offset just past the start tag.</param>
    /// <param name="ContentEnd">Offset of the end tag's '&lt;'.</param>
    private readonly record struct ElementSpan(int Start, int End, int ContentStart, int ContentEnd, bool IsEmptyElement);
}
