namespace Shake.Core.Configuration;

/// <summary>
/// Reads Shake's TLS keys of a source or target section (v3 <c>[source]</c>/<c>[target]</c>, v4
/// <c>[sync_reader]</c>/<c>[scan_reader]</c>/<c>[redis_writer]</c>): <c>tls_ca_file</c>, <c>tls_cert_file</c>,
/// <c>tls_key_file</c>, <c>tls_server_name</c>, <c>tls_skip_verify</c>. redis-shake has only <c>tls</c>.
/// </summary>
internal static class TlsOptionsReader
{
    public static RedisInstanceOptions Read(ConfigSection section, RedisInstanceOptions endpoint)
    {
        var read = endpoint with
        {
            TlsCaFile = section.String("tls_ca_file", ""),
            TlsCertFile = section.String("tls_cert_file", ""),
            TlsKeyFile = section.String("tls_key_file", ""),
            TlsServerName = section.String("tls_server_name", ""),
            TlsSkipVerify = section.Bool("tls_skip_verify", false),
        };
        if (read.TlsCertFile.Length > 0 != read.TlsKeyFile.Length > 0)
        {
            var given = read.TlsCertFile.Length > 0 ? "tls_cert_file" : "tls_key_file";
            section.Error(given, section.LineOf(given), "a client certificate needs both tls_cert_file and tls_key_file");
        }
        if (read.TlsSkipVerify && read.TlsCaFile.Length > 0)
            section.Error("tls_skip_verify", section.LineOf("tls_skip_verify"), "tls_skip_verify = true ignores tls_ca_file; keep one of them");
        var anyTlsKey = read.TlsCaFile.Length > 0 || read.TlsCertFile.Length > 0 || read.TlsServerName.Length > 0 || read.TlsSkipVerify;
        if (anyTlsKey && !read.Tls)
            section.Report(ConfigSeverity.Warning, "tls", section.LineOf("tls"), "TLS keys are set but tls = false: the connection is not encrypted and they are not used");
        return read;
    }
}
