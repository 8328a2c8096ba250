namespace Shake.Resp.Pipelining;

/// <summary>A fixed-capacity FIFO ring of outstanding requests (the in-flight window bounds its size). Not thread-safe.</summary>
internal sealed class PendingQueue<T>
{
    private readonly T[] _items;
    private int _head;
    private int _count;

    public PendingQueue(int capacity) => _items = new T[capacity];

    public int Count => _count;

    public void Enqueue(in T item)
    {
        if (_count == _items.Length) throw new InvalidOperationException("more requests in flight than the pipeline limit");
        _items[(_head + _count) % _items.Length] = item;
        _count++;
    }

    public bool TryDequeue(out T item)
    {
        if (_count == 0)
        {
            item = default!;
            return false;
        }
        item = _items[_head];
        _items[_head] = default!;
        _head = (_head + 1) % _items.Length;
        _count--;
        return true;
    }
}
