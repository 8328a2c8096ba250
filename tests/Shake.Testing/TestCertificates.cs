using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Shake.Testing;

/// <summary>
/// A throwaway certificate authority with a server certificate for 127.0.0.1/localhost and a client certificate,
/// written as PEM files into a directory, for TLS tests against <c>redis-server --tls-port</c>.
/// </summary>
public sealed record TestCertificates(string CaFile, string ServerCertFile, string ServerKeyFile, string ClientCertFile, string ClientKeyFile)
{
    /// <summary>Generates the CA and both leaf certificates (P-256 keys, valid for a day) into <paramref name="directory"/>.</summary>
    public static TestCertificates Create(string directory)
    {
        Directory.CreateDirectory(directory);
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Shake Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(1));

        var files = new TestCertificates(
            Path.Combine(directory, "ca.crt"),
            Path.Combine(directory, "server.crt"), Path.Combine(directory, "server.key"),
            Path.Combine(directory, "client.crt"), Path.Combine(directory, "client.key"));
        File.WriteAllText(files.CaFile, ca.ExportCertificatePem());
        Issue(ca, "CN=127.0.0.1", serverAuth: true, files.ServerCertFile, files.ServerKeyFile, now, 1);
        Issue(ca, "CN=shake-test-client", serverAuth: false, files.ClientCertFile, files.ClientKeyFile, now, 2);
        return files;
    }

    private static void Issue(X509Certificate2 ca, string subject, bool serverAuth, string certFile, string keyFile, DateTimeOffset now, byte serial)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }
        using var certificate = request.Create(ca, now.AddHours(-1), now.AddHours(23), [serial, 0x5a]);
        File.WriteAllText(certFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
    }
}
