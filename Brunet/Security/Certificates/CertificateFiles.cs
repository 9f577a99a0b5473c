using System.Text;

namespace Brunet.Security.Certificates;

/// <summary>Reading and writing certificate and authority key files.</summary>
public static class CertificateFiles
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The text of a certificate file (at most <see cref="CertificateArmor.MaxTextLength"/> bytes); <see cref="CertificateException"/> when it cannot be read.</summary>
    public static string ReadText(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                throw new CertificateException(path, "the file does not exist");
            }
            if (new FileInfo(path).Length > CertificateArmor.MaxTextLength)
            {
                throw new CertificateException(path, $"larger than {CertificateArmor.MaxTextLength} bytes: not a certificate file");
            }
            return File.ReadAllText(path, Encoding.UTF8);
        }
        catch (IOException e)
        {
            throw new CertificateException(path, "cannot be read: " + e.Message, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CertificateException(path, "cannot be read: " + e.Message, e);
        }
    }

    /// <summary>Writes a public file (a certificate) through a temporary file, replacing an existing one.</summary>
    public static void WriteText(string path, string text)
    {
        string temp = path + ".tmp";
        try
        {
            File.WriteAllText(temp, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            File.Move(temp, path, overwrite: true);
        }
        catch (IOException e)
        {
            throw new CertificateException(path, "cannot be written: " + e.Message, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CertificateException(path, "cannot be written: " + e.Message, e);
        }
    }

    /// <summary>Creates a secret file with mode 0600; refuses (IOException) when it already exists.</summary>
    internal static void CreateSecret(string path, ReadOnlySpan<byte> content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }
        using var stream = new FileStream(path, options);
        stream.Write(content);
        stream.Flush(flushToDisk: true);
    }
}
