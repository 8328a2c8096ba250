using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Shake.Resp.Connections;

/// <summary>Turns the TLS settings of <see cref="RedisConnectionOptions"/> into an authenticated <see cref="SslStream"/>.</summary>
internal static class TlsClientFactory
{
    public static async Task<SslStream> AuthenticateAsync(Stream inner, RedisConnectionOptions options, RedisEndpoint endpoint, CancellationToken cancellation)
    {
        var settings = new SslClientAuthenticationOptions { TargetHost = options.TlsServerName ?? endpoint.Host };
        if (!string.IsNullOrEmpty(options.TlsCertFile))
        {
            if (string.IsNullOrEmpty(options.TlsKeyFile))
                throw new ArgumentException($"TLS client certificate '{options.TlsCertFile}' was given without its key file");
            settings.ClientCertificates = [LoadClientCertificate(options.TlsCertFile, options.TlsKeyFile)];
        }
        if (options.TlsSkipVerify)
        {
            settings.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        }
        else if (!string.IsNullOrEmpty(options.TlsCaFile))
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            try
            {
                policy.CustomTrustStore.ImportFromPemFile(options.TlsCaFile);
            }
            catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException)
            {
                throw new ArgumentException($"TLS CA file '{options.TlsCaFile}' could not be read: {e.Message}", e);
            }
            if (policy.CustomTrustStore.Count == 0)
                throw new ArgumentException($"TLS CA file '{options.TlsCaFile}' holds no PEM certificate");
            settings.CertificateChainPolicy = policy;
        }
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(settings, cancellation);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }
    }

    private static X509Certificate2 LoadClientCertificate(string certFile, string keyFile)
    {
        try
        {
            // A certificate built from PEM carries an ephemeral key that some platforms refuse for client auth;
            // a PKCS#12 round trip gives it a persisted one.
            using var pem = X509Certificate2.CreateFromPemFile(certFile, keyFile);
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"TLS client certificate '{certFile}' with key '{keyFile}' could not be loaded: {e.Message}", e);
        }
    }
}
