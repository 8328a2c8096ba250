using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Shake.Host.Status;

/// <summary>
/// Writes the observable instruments of chosen meters in the Prometheus text format (version 0.0.4): one
/// <c># HELP</c> and <c># TYPE</c> per metric, then a sample per tag set. Names are the instrument's with dots as
/// underscores, counters end in <c>_total</c>; tag names likewise. Measurements are taken at each scrape by a
/// <see cref="MeterListener"/> of this exporter alone.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    /// <summary>The content type of the text format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly List<Sample> _samples = [];

    /// <summary>Exports the observable instruments of the meters <paramref name="includes"/> accepts.</summary>
    public PrometheusExporter(Func<Meter, bool> includes)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Only instruments read on demand: a plain counter reports increments as they happen, not a total.
            if (includes(instrument.Meter) && IsObservable(instrument)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Takes a measurement of every instrument and returns the text a scrape gets.</summary>
    public string Scrape()
    {
        lock (_gate)
        {
            _samples.Clear();
            _listener.RecordObservableInstruments();
            var text = new StringBuilder();
            foreach (var metric in _samples.GroupBy(s => s.Instrument))
            {
                var instrument = metric.Key;
                var counter = instrument is ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double>;
                var name = MetricName(instrument.Name) + (counter ? "_total" : "");
                var help = string.IsNullOrEmpty(instrument.Description) ? instrument.Name : instrument.Description;
                text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n');
                text.Append("# TYPE ").Append(name).Append(' ').Append(counter ? "counter" : "gauge").Append('\n');
                foreach (var sample in metric)
                {
                    text.Append(name);
                    if (sample.Tags.Length > 0)
                    {
                        text.Append('{');
                        for (var i = 0; i < sample.Tags.Length; i++)
                        {
                            if (i > 0) text.Append(',');
                            text.Append(MetricName(sample.Tags[i].Key)).Append("=\"").Append(EscapeLabel(sample.Tags[i].Value)).Append('"');
                        }
                        text.Append('}');
                    }
                    text.Append(' ').Append(Number(sample.Value)).Append('\n');
                }
            }
            _samples.Clear();
            return text.ToString();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private static bool IsObservable(Instrument instrument) => instrument
        is ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double>
        or ObservableGauge<long> or ObservableGauge<int> or ObservableGauge<double>
        or ObservableUpDownCounter<long> or ObservableUpDownCounter<int> or ObservableUpDownCounter<double>;

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copied = new KeyValuePair<string, string>[tags.Length];
        for (var i = 0; i < tags.Length; i++)
            copied[i] = new(tags[i].Key, Convert.ToString(tags[i].Value, CultureInfo.InvariantCulture) ?? "");
        _samples.Add(new Sample(instrument, value, copied));
    }

    // Prometheus names allow [a-zA-Z_:][a-zA-Z0-9_:]*; label names the same without ':'.
    private static string MetricName(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name) builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        if (builder.Length == 0 || char.IsAsciiDigit(builder[0])) builder.Insert(0, '_');
        return builder.ToString();
    }

    private static string EscapeHelp(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeLabel(string text) => EscapeHelp(text).Replace("\"", "\\\"", StringComparison.Ordinal);

    private static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private readonly record struct Sample(Instrument Instrument, double Value, KeyValuePair<string, string>[] Tags);
}
