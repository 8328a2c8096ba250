# write-forms.awk -v kind=K -v form=F -v n=N -v base=MS: RESP commands creating N keys of kind K in form F (write-forms.sh).
function bulk(s) { return "$" length(s) "\r\n" s "\r\n" }
function emit(arr, c,   i, out) { out = "*" c "\r\n"; for (i = 1; i <= c; i++) out = out bulk(arr[i]); printf "%s", out }
function pad(s, w) { while (length(s) < w) s = s "x"; return s }
BEGIN {
  srand(7); batch = 0; c = 0
  for (i = 0; i < n; i++) {
    if (kind == "str" || kind == "strttl" || kind == "int") {
      key = kind ":" i
      val = (kind == "int") ? sprintf("%d", int(rand() * 1000000000)) : pad("value:" i ":", 100)
      if (form == "set" || form == "setnx") {
        a[1] = "SET"; a[2] = key; a[3] = val; c = 3
        if (form == "setnx") a[++c] = "NX"
        if (kind == "strttl") { a[++c] = "PXAT"; a[++c] = sprintf("%.0f", base + 3600000 + i) }
        emit(a, c)
      } else if (form == "mset" || form == "msetnx") {
        if (batch == 0) { m[1] = (form == "mset") ? "MSET" : "MSETNX"; mc = 1 }
        m[++mc] = key; m[++mc] = val; batch++
        if (batch == 100 || i == n - 1) { emit(m, mc); batch = 0 }
      }
      continue
    }
    key = kind ":" i
    if (kind == "hash10") { a[1] = "HSET"; a[2] = key; c = 2; for (f = 0; f < 10; f++) { a[++c] = "field" f; a[++c] = "v" i "-" int(rand() * 1e6) } }
    else if (kind == "list20") { a[1] = "RPUSH"; a[2] = key; c = 2; for (f = 0; f < 20; f++) a[++c] = "item" f "-" int(rand() * 1e6) }
    else if (kind == "set10") { a[1] = "SADD"; a[2] = key; c = 2; for (f = 0; f < 10; f++) a[++c] = "member" f "-" int(rand() * 1e6) }
    else if (kind == "intset10") { a[1] = "SADD"; a[2] = key; c = 2; for (f = 0; f < 10; f++) a[++c] = sprintf("%d", int(rand() * 1e9)) }
    else if (kind == "zset10") { a[1] = "ZADD"; a[2] = key; c = 2; for (f = 0; f < 10; f++) { a[++c] = sprintf("%.6f", rand() * 1000); a[++c] = "member" f } }
    else if (kind == "hash1000") { a[1] = "HSET"; a[2] = key; c = 2; for (f = 0; f < 1000; f++) { a[++c] = "field" f; a[++c] = "v" i "-" int(rand() * 1e6) } }
    else if (kind == "zset1000") { a[1] = "ZADD"; a[2] = key; c = 2; for (f = 0; f < 1000; f++) { a[++c] = sprintf("%.6f", rand() * 1000); a[++c] = "member" f } }
    emit(a, c)
  }
}
