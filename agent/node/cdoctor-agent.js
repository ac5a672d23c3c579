// cdoctor-agent.js - the Node.js agent of `cdoctor run`, loaded into node
// targets with NODE_OPTIONS=--require (see docs/node.md). Each process and
// each worker thread measures its own event loop, GC, V8 heap, handles,
// a sampled JS heap profile by JS stack and (CDOC_NODE_ASYNC=1) the time
// async operations wait, and writes lines to the run's private channel
// (an inherited pipe named by CDOC_NODE_FD and checked by its inode,
// CDOC_NODE_ID). Forked children reach the same pipe through
// /proc/PPID/fd. The agent never keeps a process alive (timers are
// unref'd), swallows its own exceptions, never writes to the user's
// directory, and drops lines (counting them) rather than block the target.
//
// Lines, tab-separated, times in CLOCK_MONOTONIC nanoseconds:
//   H pid tid ppid time node-thread-id version title  a loop starts
// (pid and tid are the OS's: the thread that runs this loop)
//   M pid tid time name=value ...                  metrics of an interval
//   S profile pid tid time weight frame...         a sample, outermost first
//   X pid tid time                                 a loop ends
'use strict';

(function cdoctorAgent() {
  const fs = require('fs');
  const wt = require('worker_threads');
  const env = process.env;
  if (!env.CDOC_NODE_FD || !env.CDOC_NODE_ID) return;

  const SELF = __filename;
  const INTERVAL_MS = Math.max(100, Number(env.CDOC_NODE_INTERVAL_MS) || 1000);
  const ASYNC = env.CDOC_NODE_ASYNC === '1';
  const HEAP_SAMPLE = Math.max(1024, Number(env.CDOC_NODE_HEAP_SAMPLE) || 32768);
  // The sampling heap profiler costs tens of microseconds of CPU per
  // request while it is on (docs/node.md, "What it costs"), and only a
  // leak needs it: by default ('auto') it starts when the heap's floor
  // (the least used heap of an interval, readings after collections)
  // has risen HEAP_RISES intervals in a row by HEAP_RISE_BYTES or more,
  // and stays on. CDOC_NODE_HEAP=1: on from the start; 0: never.
  const HEAP_MODE = env.CDOC_NODE_HEAP === '0' ? 'off'
                  : env.CDOC_NODE_HEAP === '1' ? 'on' : 'auto';
  const HEAP_RISES = 2;
  const HEAP_RISE_BYTES = 1 << 20;
  const MAX_STACKS = 256; // js_heap stacks per interval (the rest: one line)
  const MAX_FRAMES = 48;
  const PIPE_BUF = 4096; // writes up to this size are atomic on a pipe
  const tid = wt.threadId;
  let fd = -1;
  let dropped = 0;
  let out = [];

  function now() {
    return process.hrtime.bigint();
  }

  function clean(s) {
    s = String(s);
    return s.length > 300 ? s.slice(0, 300).replace(/[\x00-\x1f\x7f]/g, ' ')
                          : s.replace(/[\x00-\x1f\x7f]/g, ' ');
  }

  // The channel: the inherited descriptor, or (a forked child: the
  // descriptor number is not ours) the parent's through /proc.
  function sameChannel(f) {
    try {
      return String(fs.fstatSync(f, {bigint: true}).ino) === env.CDOC_NODE_ID;
    } catch (e) {
      return false;
    }
  }
  function openChannel() {
    const n = Number(env.CDOC_NODE_FD);
    if (!Number.isInteger(n) || n < 0) return -1;
    if (sameChannel(n)) return n;
    if (!wt.isMainThread) return -1;
    let f = -1;
    try {
      f = fs.openSync('/proc/' + process.ppid + '/fd/' + n,
                      fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    } catch (e) {
      return -1;
    }
    if (!sameChannel(f)) {
      try { fs.closeSync(f); } catch (e) {}
      return -1;
    }
    env.CDOC_NODE_FD = String(f); // for this process's own children
    return f;
  }

  // Write the queued lines in atomic pieces; a full pipe drops them.
  function flush() {
    if (fd < 0 || !out.length) return;
    let piece = '';
    const pieces = [];
    for (const l of out) {
      if (l.length + 1 > PIPE_BUF) { dropped++; continue; }
      if (piece.length + l.length + 1 > PIPE_BUF) { pieces.push(piece); piece = ''; }
      piece += l + '\n';
    }
    if (piece) pieces.push(piece);
    out = [];
    for (const p of pieces) {
      try {
        fs.writeSync(fd, p);
      } catch (e) {
        if (e.code === 'EAGAIN') { dropped++; continue; }
        fd = -1; // the collector is gone
        return;
      }
    }
  }

  function line(fields) {
    out.push(fields.join('\t'));
  }

  // V8's per-isolate log (isolate-ADDR-PID-v8.log, which --perf-basic-prof
  // opens in the working directory): unlinked, V8 keeps writing to it.
  function removeV8Logs() {
    try {
      const re = new RegExp('^isolate-0x[0-9a-f]+-' + process.pid + '-v8\\.log$');
      for (const name of fs.readdirSync('.'))
        if (re.test(name)) fs.unlinkSync(name);
    } catch (e) {}
  }

  fd = openChannel();
  if (fd < 0) return;
  removeV8Logs();

  // V8 inlines small functions into their callers once they are hot, and
  // both the CPU profile (through the perf map) and the heap sampler then
  // give the callee's work to the caller: a culprit vanishes. Inlining is
  // off unless CDOC_NODE_INLINING=1 (`cdoctor run --node-inlining`); the
  // cost is measured by bench/node.sh (docs/node.md).
  if (env.CDOC_NODE_INLINING !== '1') {
    try { require('v8').setFlagsFromString('--no-turbo-inlining'); } catch (e) {}
  }

  const {monitorEventLoopDelay, performance, PerformanceObserver, constants} =
      require('perf_hooks');
  const v8 = require('v8');
  const pid = String(process.pid);
  let T = wt.isMainThread ? pid : '';
  try {
    const m = /\/task\/(\d+)$/.exec(fs.readlinkSync('/proc/thread-self'));
    if (m) T = m[1];
  } catch (e) {}
  if (!T) return;

  line(['H', pid, T, String(process.ppid), String(now()), String(tid), process.version,
        clean(wt.isMainThread ? process.argv.slice(1, 2).join(' ') || process.title
                              : 'worker ' + tid)]);

  // Event loop: delay histogram (timer lateness) and utilisation.
  const delay = monitorEventLoopDelay({resolution: 10});
  delay.enable();
  let elu = performance.eventLoopUtilization();

  // GC pauses by kind.
  const gc = {ms: 0, n: 0, major: 0, minor: 0, incremental: 0, weak: 0};
  let gcObs = null;
  // The heap's floor over the interval: the least used heap read after a
  // collection (or at the interval's end); what a leak makes grow.
  let floor = Infinity;
  const floors = [];
  try {
    gcObs = new PerformanceObserver((list) => {
      let major = false;
      for (const e of list.getEntries()) {
        const kind = e.detail ? e.detail.kind : e.kind;
        gc.ms += e.duration;
        gc.n++;
        if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major += e.duration, major = true;
        else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.minor += e.duration;
        else if (kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) gc.incremental += e.duration;
        else gc.weak += e.duration;
      }
      if (HEAP_MODE === 'auto' && !session) afterGC(major);
    });
    gcObs.observe({entryTypes: ['gc']});
  } catch (e) {}

  // HTTP requests this loop served: how many, how long each took from
  // its start to the end of its response, and (with the thread's CPU
  // time) how much CPU one request cost the loop: long synchronous work
  // per request shows there whatever the machine's load.
  const http = {started: 0, done: 0, latSum: 0, latMax: 0};
  if (env.CDOC_NODE_HTTP !== '0') try {
    const dc = require('diagnostics_channel');
    const t0 = new WeakMap();
    dc.subscribe('http.server.request.start', (m) => {
      http.started++;
      if (m && m.response) t0.set(m.response, performance.now());
    });
    dc.subscribe('http.server.response.finish', (m) => {
      const s = m && m.response ? t0.get(m.response) : undefined;
      if (s === undefined) return;
      const d = performance.now() - s; // ms, a double: no BigInt per request
      http.done++;
      http.latSum += d;
      if (d > http.latMax) http.latMax = d;
    });
  } catch (e) {}

  function resources() {
    let handles = 0, requests = 0, timers = 0;
    try {
      for (const t of process.getActiveResourcesInfo()) {
        if (t === 'Timeout' || t === 'Immediate') timers++;
        else if (/Req/.test(t)) requests++;
        else handles++;
      }
    } catch (e) {}
    return [handles, requests, timers];
  }

  // The loop thread's CPU and run-queue wait (ns, cumulative): a loop
  // delay that the thread spent waiting for a CPU is the machine's, not
  // the code's.
  let sched = null;
  function schedstat() {
    try {
      const f = fs.readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ');
      return [Number(f[0]), Number(f[1])];
    } catch (e) {
      return null;
    }
  }
  let schedAt = now();
  sched = schedstat();

  function ms(ns) {
    return (Number(ns) / 1e6).toFixed(3);
  }

  function usedHeap() {
    try {
      return v8.getHeapStatistics().used_heap_size;
    } catch (e) {
      return Infinity;
    }
  }

  function metrics(t) {
    const e = performance.eventLoopUtilization(elu);
    elu = performance.eventLoopUtilization();
    const h = v8.getHeapStatistics();
    floor = Math.min(floor, h.used_heap_size);
    const mu = process.memoryUsage();
    const [handles, requests, timers] = resources();
    const n = delay.count;
    const f = ['M', pid, T, String(t),
      'node_loop_delay_p50_ms=' + (n ? ms(delay.percentile(50)) : '0'),
      'node_loop_delay_p99_ms=' + (n ? ms(delay.percentile(99)) : '0'),
      'node_loop_delay_max_ms=' + (n ? ms(delay.max) : '0'),
      'node_loop_delay_mean_ms=' + (n ? ms(delay.mean) : '0'),
      'node_loop_util_pct=' + (e.utilization * 100).toFixed(2),
      'node_heap_used_bytes=' + h.used_heap_size,
      'node_heap_total_bytes=' + h.total_heap_size,
      'node_heap_limit_bytes=' + h.heap_size_limit,
      'node_external_bytes=' + mu.external,
      'node_array_buffers_bytes=' + mu.arrayBuffers,
      'node_gc_pause_ms=' + gc.ms.toFixed(3),
      'node_gc_count=' + gc.n,
      'node_gc_major_ms=' + gc.major.toFixed(3),
      'node_gc_minor_ms=' + gc.minor.toFixed(3),
      'node_gc_incremental_ms=' + gc.incremental.toFixed(3),
      'node_gc_weakcb_ms=' + gc.weak.toFixed(3),
      'node_handles=' + handles,
      'node_requests=' + requests,
      'node_timers=' + timers,
      'node_agent_dropped=' + dropped,
      'node_heap_sampling=' + (session ? 1 : 0)];
    const st = schedstat();
    if (st && sched) {
      const wall = Number(t - schedAt) || 1;
      f.push('node_loop_cpu_pct=' + (100 * (st[0] - sched[0]) / wall).toFixed(2));
      f.push('node_loop_runq_pct=' + (100 * (st[1] - sched[1]) / wall).toFixed(2));
      if (http.started)
        f.push('node_http_cpu_ms=' + ((st[0] - sched[0]) / 1e6 / http.started).toFixed(3));
    }
    if (http.started || http.done) {
      f.push('node_http_requests=' + http.done);
      f.push('node_http_latency_mean_ms=' + (http.done ? http.latSum / http.done : 0).toFixed(3));
      f.push('node_http_latency_max_ms=' + http.latMax.toFixed(3));
    }
    http.started = http.done = http.latSum = http.latMax = 0;
    sched = st;
    schedAt = t;
    if (ASYNC) f.push('node_async_pending=' + pending.size);
    line(f);
    delay.reset();
    gc.ms = gc.n = gc.major = gc.minor = gc.incremental = gc.weak = 0;
  }

  function frameName(fn, url, ln, col) {
    if (url && url.startsWith('file://')) url = url.slice(7);
    return clean('JS:' + (fn || '(anonymous)') + (url ? ' ' + url + ':' + ln + ':' + col : ''));
  }

  // Sampled JS heap: live sampled bytes by JS stack (V8's sampling heap
  // profiler, one sample per HEAP_SAMPLE bytes allocated on average).
  let session = null;
  function startHeapSampling() {
    try {
      const inspector = require('inspector');
      session = new inspector.Session();
      session.connect();
      session.post('HeapProfiler.startSampling', {samplingInterval: HEAP_SAMPLE});
    } catch (e) {
      session = null;
    }
  }
  if (HEAP_MODE === 'on') startHeapSampling();

  // Auto mode, fast: what survives full collections (the heap used read
  // after each mark-compact) grew over HEAP_RISES of them in a row by
  // HEAP_RISE_BYTES or more: a leak that fills the old generation fast
  // gets its sampler within a few collections.
  const majors = [];
  function rising(a) {
    if (a.length <= HEAP_RISES) return false;
    for (let i = 1; i < a.length; i++)
      if (a[i] <= a[i - 1]) return false;
    return a[a.length - 1] - a[0] >= HEAP_RISE_BYTES;
  }
  function afterGC(major) {
    const u = usedHeap();
    floor = Math.min(floor, u);
    if (!major || intervals < 1) return;
    majors.push(u);
    if (majors.length > HEAP_RISES + 1) majors.shift();
    if (rising(majors)) startHeapSampling();
  }

  // Auto mode, slow: the interval's floor joins the last HEAP_RISES + 1; the
  // profiler starts when each rose over the one before, HEAP_RISE_BYTES
  // in all (a leak: what survives collection keeps growing). The first
  // interval counts: a leak that starts with the program shows there.
  let intervals = 0;
  function heapFloorCheck() {
    const f = floor;
    floor = Infinity;
    intervals++;
    if (HEAP_MODE !== 'auto' || session || !isFinite(f)) return;
    floors.push(f);
    if (floors.length > HEAP_RISES + 1) floors.shift();
    if (rising(floors)) startHeapSampling();
  }

  function heapProfile(t) {
    if (!session) return;
    let prof = null;
    session.post('HeapProfiler.getSamplingProfile', (err, res) => {
      if (!err && res) prof = res.profile;
    });
    if (!prof) return;
    const stacks = [];
    const path = [];
    (function walk(node) {
      const c = node.callFrame;
      const top = c.functionName === '(root)' && !c.url;
      if (!top) path.push(frameName(c.functionName, c.url, c.lineNumber + 1, c.columnNumber + 1));
      if (node.selfSize > 0 && path.length) stacks.push([node.selfSize, path.slice(-MAX_FRAMES)]);
      for (const ch of node.children || []) walk(ch);
      if (!top) path.pop();
    })(prof.head);
    stacks.sort((a, b) => b[0] - a[0]);
    let rest = 0;
    for (let i = 0; i < stacks.length; i++) {
      if (i >= MAX_STACKS) { rest += stacks[i][0]; continue; }
      sample('js_heap', t, stacks[i][0], stacks[i][1]);
    }
    if (rest) sample('js_heap', t, rest, ['(other stacks)']);
  }

  function sample(profile, t, weight, frames) {
    let l = ['S', profile, pid, T, String(t), String(Math.round(weight))].join('\t');
    let i = 0;
    // outermost frames are left out first when the line is too long
    let len = l.length;
    for (let k = frames.length - 1; k >= 0; k--) {
      len += frames[k].length + 1;
      if (len > PIPE_BUF - 64) { i = k + 1; break; }
    }
    out.push(l + '\t' + frames.slice(i).join('\t'));
  }

  // Async waits: the time from an async resource's creation to its first
  // callback, by the JS stack (user frames) that created it.
  const pending = new Map();
  const waits = new Map();
  let inHook = false;
  const SKIP = new Set(['PROMISE', 'TickObject', 'Immediate', 'Microtask',
    'TIMERWRAP', 'TCPSERVERWRAP', 'PIPESERVERWRAP', 'SIGNALWRAP', 'STATWATCHER',
    'HTTPINCOMINGMESSAGE', 'ELDHISTOGRAM', 'PerformanceObserver']);

  // The user frames of the stack that creates a resource, outermost
  // first ('' when none: node made it itself). Timers that node's own
  // modules arm under a user's call (socket and keep-alive timeouts) are
  // left out: only a timer the user's code set counts as a wait.
  function userStack(type) {
    const savedPrep = Error.prepareStackTrace;
    const savedLimit = Error.stackTraceLimit;
    const o = {};
    let cs;
    try {
      Error.prepareStackTrace = (_, s) => s;
      Error.stackTraceLimit = 32;
      Error.captureStackTrace(o, userStack);
      cs = o.stack;
    } finally {
      Error.prepareStackTrace = savedPrep;
      Error.stackTraceLimit = savedLimit;
    }
    if (!Array.isArray(cs)) return '';
    const frames = [];
    for (const c of cs) {
      const file = c.getFileName();
      if (file === SELF) continue;
      if (!file || file.startsWith('node:')) {
        if (!frames.length && type === 'Timeout' && file &&
            file !== 'node:timers' && file !== 'node:internal/timers')
          return '';
        continue;
      }
      frames.push(frameName(c.getFunctionName(), file, c.getLineNumber(), c.getColumnNumber()));
      if (frames.length >= 16) break;
    }
    return frames.reverse().join('\t');
  }

  if (ASYNC) {
    try {
      require('async_hooks').createHook({
        init(id, type) {
          if (inHook || SKIP.has(type) || pending.size > 100000) return;
          inHook = true;
          try {
            const s = userStack(type);
            if (s) pending.set(id, [now(), s + '\t[async:' + clean(type) + ']']);
          } catch (e) {}
          inHook = false;
        },
        before(id) {
          const p = pending.get(id);
          if (!p) return;
          pending.delete(id);
          const w = waits.get(p[1]);
          const d = now() - p[0];
          if (w) { w[0] += d; w[1]++; } else waits.set(p[1], [d, 1]);
        },
        destroy(id) {
          pending.delete(id);
        },
      }).enable();
    } catch (e) {}
  }

  function asyncWaits(t) {
    for (const [k, w] of waits) {
      out.push(['S', 'async_wait', pid, T, String(t), String(w[0]), k].join('\t'));
      out.push(['S', 'async_wait_count', pid, T, String(t), String(w[1]), k].join('\t'));
    }
    waits.clear();
  }

  function report() {
    try {
      const t = now();
      metrics(t);
      heapProfile(t);
      heapFloorCheck();
      if (ASYNC) asyncWaits(t);
      flush();
    } catch (e) {
      out = [];
    }
  }

  const timer = setInterval(report, INTERVAL_MS);
  timer.unref();

  let ended = false;
  function end() {
    if (ended) return;
    ended = true;
    try {
      report();
      line(['X', pid, T, String(now())]);
      flush();
    } catch (e) {}
  }
  process.on('exit', end);
})();
