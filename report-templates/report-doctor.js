// report-doctor.js - the timelines and flame graphs of cdoctor's HTML
// doctor report. Reads the JSON in #cdoc-data (lib/report/html.c):
//   {span, load: [t0, t1] | null,
//    charts: [{id, title, unit, series: [{metric, label, zero, t, v, lo?, hi?}]}],
//    profiles: [{name, unit, total, names, nodes: [parent, name, ...], self,
//                timed?: {span, buckets, b: [bucket, node, weight, ...]}}]}
// Charts are our own canvas code (a few hundred lines, no dependency to
// vendor, tested with the page). All text goes in through textContent or
// canvas fillText, never as markup. Nothing is fetched.
(function () {
	"use strict";
	var FH = 18, PADL = 64, PADR = 12, CH = 110;
	var COLORS = ["#1565c0", "#c62828", "#2e7d32", "#ef8f00", "#6a1b9a", "#00838f"];
	var data, charts = [], P = null, flameCanvas, fctx, drawn = [];
	var state = { range: null, cursor: null, tab: 0, zoom: 0, search: "", drag: null, collapse: false };
	var $ = function (id) { return document.getElementById(id); };

	function el(tag, cls, text) {
		var e = document.createElement(tag);
		if (cls) e.className = cls;
		if (text !== undefined && text !== null) e.textContent = String(text);
		return e;
	}

	// --- units ----------------------------------------------------------
	function num(v, digits) {
		if (!isFinite(v)) return "-";
		var a = Math.abs(v);
		if (a >= 1e9) return (v / 1e9).toFixed(1) + "G";
		if (a >= 1e6) return (v / 1e6).toFixed(1) + "M";
		if (a >= 1e4) return (v / 1e3).toFixed(1) + "k";
		return a >= 100 || v === Math.round(v) ? String(Math.round(v)) :
			v.toFixed(digits === undefined ? 1 : digits);
	}
	function bytes(v) {
		var u = ["B", "KiB", "MiB", "GiB", "TiB"], i = 0;
		while (Math.abs(v) >= 1024 && i < u.length - 1) { v /= 1024; i++; }
		return (i ? v.toFixed(1) : String(Math.round(v))) + " " + u[i];
	}
	function fmt(v, unit) {
		if (unit === "bytes") return bytes(v);
		if (unit === "bytes/s") return bytes(v) + "/s";
		if (unit === "%") return v.toFixed(1) + " %";
		if (unit === "/s") return num(v) + "/s";
		if (unit === "ms" || unit === "ms/s") return num(v, 2) + " " + unit;
		return num(v);
	}
	// A duration of @ns nanoseconds: ns, us, ms, s.
	function dur(ns) {
		var a = Math.abs(ns);
		if (a >= 1e9) return (ns / 1e9).toFixed(2) + " s";
		if (a >= 1e6) return (ns / 1e6).toFixed(1) + " ms";
		if (a >= 1e3) return (ns / 1e3).toFixed(1) + " \u00b5s";
		return Math.round(ns) + " ns";
	}
	function secs(t) {
		if (t >= 3600) return Math.floor(t / 3600) + "h" + String(Math.floor(t % 3600 / 60)).padStart(2, "0") + "m";
		if (t >= 120) return Math.floor(t / 60) + "m" + String(Math.floor(t % 60)).padStart(2, "0") + "s";
		return (t >= 10 ? t.toFixed(1) : t.toFixed(2)) + " s";
	}
	function weight(v, unit) {
		if (unit === "bytes") return bytes(v);
		if (unit === "ns") return dur(v);
		return Math.round(v).toLocaleString("en-US") + " " + unit;
	}

	// --- timelines ------------------------------------------------------
	function ticks(max, n) {
		if (!(max > 0)) return [0];
		var step = Math.pow(10, Math.floor(Math.log10(max / n)));
		[1, 2, 5, 10].some(function (m) {
			if (max / (step * m) <= n) { step *= m; return true; }
			return false;
		});
		var out = [];
		for (var v = 0; v <= max * 1.0001; v += step) out.push(v);
		return out;
	}
	// Ticks of the time axis: seconds, or whole minutes and hours.
	function timeTicks(span, n) {
		if (!(span > 120)) return ticks(span, n);
		var steps = [60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400];
		var step = steps.filter(function (s) { return span / s <= n; })[0] || 86400;
		var out = [];
		for (var t = 0; t <= span; t += step) out.push(t);
		return out;
	}
	function makeChart(c) {
		var live = c.series.filter(function (s) { return !s.zero && s.t.length; });
		var box = el("div", "chart"), head = el("div", "head");
		box.id = "chart-" + c.id;
		head.appendChild(el("b", null, c.title));
		var vals = el("span", "vals");
		head.appendChild(vals);
		box.appendChild(head);
		var cv = el("canvas");
		box.appendChild(cv);
		var max = 0;
		live.forEach(function (s) {
			(s.hi || s.v).forEach(function (v) { if (v > max) max = v; });
		});
		(c.marks || []).forEach(function (m) { if (m[1] > max) max = m[1]; });
		if (c.unit === "%" && max < 100 && max > 50) max = 100;
		var ch = { c: c, series: live, box: box, canvas: cv, vals: vals,
			max: max > 0 ? max * 1.08 : 1 };
		cv.addEventListener("mousemove", function (e) { hover(ch, e); });
		cv.addEventListener("mouseleave", function () {
			state.cursor = null; redrawCharts();
		});
		cv.addEventListener("mousedown", function (e) {
			state.drag = { t0: timeAt(ch, e), t1: timeAt(ch, e) };
			e.preventDefault();
		});
		cv.addEventListener("dblclick", function () { setRange(null); });
		return ch;
	}
	function plotW(ch) { return (ch.canvas.clientWidth || 800) - PADL - PADR; }
	function xOf(ch, t) { return PADL + t / (data.span || 1) * plotW(ch); }
	function timeAt(ch, e) {
		var r = ch.canvas.getBoundingClientRect();
		var t = (e.clientX - r.left - PADL) / plotW(ch) * (data.span || 1);
		return Math.max(0, Math.min(data.span || 0, t));
	}
	function yOf(ch, v) { return 8 + (CH - 26) * (1 - v / ch.max); }
	function nearest(ts, t) {
		var lo = 0, hi = ts.length - 1;
		while (lo < hi) {
			var mid = (lo + hi) >> 1;
			if (ts[mid] < t) lo = mid + 1; else hi = mid;
		}
		if (lo > 0 && Math.abs(ts[lo - 1] - t) < Math.abs(ts[lo] - t)) lo--;
		return lo;
	}
	function drawChart(ch) {
		var cv = ch.canvas, W = cv.clientWidth || 800, dpr = window.devicePixelRatio || 1;
		var ctx = cv.getContext("2d");
		cv.width = Math.round(W * dpr);
		cv.height = Math.round(CH * dpr);
		ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
		ctx.clearRect(0, 0, W, CH);
		ctx.font = "11px system-ui, sans-serif";
		ctx.fillStyle = "#666";
		ctx.strokeStyle = "#eee";
		ctx.textBaseline = "middle";
		ticks(ch.max / 1.08, 3).forEach(function (v) {
			var y = yOf(ch, v);
			ctx.beginPath(); ctx.moveTo(PADL, y); ctx.lineTo(W - PADR, y); ctx.stroke();
			ctx.textAlign = "right";
			ctx.fillText(fmt(v, ch.c.unit), PADL - 6, y);
		});
		ctx.textAlign = "center";
		timeTicks(data.span, 8).forEach(function (t) {
			var label = secs(t), half = ctx.measureText(label).width / 2;
			ctx.fillText(label, Math.min(xOf(ch, t), W - half - 2), CH - 8);
		});
		if (data.load) {
			ctx.fillStyle = "rgba(255,193,7,0.15)";
			ctx.fillRect(xOf(ch, data.load[0]), 0, xOf(ch, data.load[1]) - xOf(ch, data.load[0]), CH - 18);
		}
		var sel = state.drag || (state.range && { t0: state.range[0], t1: state.range[1] });
		if (sel) {
			var a = Math.min(sel.t0, sel.t1), b = Math.max(sel.t0, sel.t1);
			ctx.fillStyle = "rgba(21,101,192,0.15)";
			ctx.fillRect(xOf(ch, a), 0, Math.max(1, xOf(ch, b) - xOf(ch, a)), CH - 18);
		}
		ch.series.forEach(function (s, k) {
			var col = COLORS[k % COLORS.length], i;
			if (s.lo && s.hi) {
				ctx.fillStyle = col;
				ctx.globalAlpha = 0.18;
				ctx.beginPath();
				for (i = 0; i < s.t.length; i++) ctx.lineTo(xOf(ch, s.t[i]), yOf(ch, s.hi[i]));
				for (i = s.t.length - 1; i >= 0; i--) ctx.lineTo(xOf(ch, s.t[i]), yOf(ch, s.lo[i]));
				ctx.fill();
				ctx.globalAlpha = 1;
			}
			ctx.strokeStyle = col;
			ctx.fillStyle = col;
			ctx.lineWidth = 1.5;
			ctx.beginPath();
			for (i = 0; i < s.t.length; i++) ctx.lineTo(xOf(ch, s.t[i]), yOf(ch, s.v[i]));
			ctx.stroke();
			if (s.t.length < 3) // too few points for a line: dots
				for (i = 0; i < s.t.length; i++)
					ctx.fillRect(xOf(ch, s.t[i]) - 2, yOf(ch, s.v[i]) - 2, 4, 4);
		});
		if (ch.c.marks && ch.c.marks.length) { // long ticks: red stems
			ctx.strokeStyle = "#d32f2f";
			ctx.fillStyle = "#d32f2f";
			ctx.lineWidth = 1;
			ch.c.marks.forEach(function (m) {
				var x = xOf(ch, m[0]), y = yOf(ch, m[1]);
				ctx.beginPath(); ctx.moveTo(x, CH - 18); ctx.lineTo(x, y); ctx.stroke();
				ctx.beginPath(); ctx.arc(x, y, 2.5, 0, 2 * Math.PI); ctx.fill();
			});
		}
		ch.vals.textContent = "";
		if (state.cursor !== null) {
			var x = xOf(ch, state.cursor);
			ctx.strokeStyle = "#333";
			ctx.lineWidth = 1;
			ctx.beginPath(); ctx.moveTo(x, 0); ctx.lineTo(x, CH - 18); ctx.stroke();
			ch.vals.appendChild(document.createTextNode(secs(state.cursor)));
		}
		ch.series.forEach(function (s, k) {
			var sw = el("i");
			sw.style.background = COLORS[k % COLORS.length];
			ch.vals.appendChild(sw);
			var txt = s.label;
			if (state.cursor !== null) {
				var i = nearest(s.t, state.cursor);
				txt += " " + fmt(s.v[i], ch.c.unit);
				if (s.lo) txt += " (" + fmt(s.lo[i], ch.c.unit) + "\u2013" + fmt(s.hi[i], ch.c.unit) + ")";
			}
			ch.vals.appendChild(document.createTextNode(txt));
		});
		if (ch.c.marks && ch.c.marks.length) {
			var sw = el("i");
			sw.style.background = "#d32f2f";
			ch.vals.appendChild(sw);
			ch.vals.appendChild(document.createTextNode(ch.c.marks.length + " long ticks"));
		}
	}
	function redrawCharts() { charts.forEach(drawChart); }
	function hover(ch, e) {
		state.cursor = timeAt(ch, e);
		if (state.drag) state.drag.t1 = state.cursor;
		redrawCharts();
	}
	function endDrag() {
		if (!state.drag) return;
		var d = state.drag, a = Math.min(d.t0, d.t1), b = Math.max(d.t0, d.t1);
		state.drag = null;
		if (b - a > (data.span || 1) / 400) setRange([a, b]);
		else redrawCharts();
	}
	function setupCharts() {
		var box = $("charts"), zero = [];
		(data.charts || []).forEach(function (c) {
			c.series.forEach(function (s) {
				if (s.zero) zero.push(c.title + ": " + s.label);
			});
			if (!c.series.some(function (s) { return !s.zero && s.t.length; }) &&
				!(c.marks && c.marks.length)) return;
			if (!charts.length) box.textContent = "";
			var ch = makeChart(c);
			charts.push(ch);
			box.appendChild(ch.box);
		});
		if (zero.length) {
			var z = $("zero");
			z.hidden = false;
			z.querySelector("summary").textContent = zero.length +
				" series were zero for the whole run (folded away)";
			zero.forEach(function (n) { z.querySelector("ul").appendChild(el("li", null, n)); });
		}
		window.addEventListener("mouseup", endDrag);
	}

	// --- flame graphs -----------------------------------------------------
	function build(p) {
		if (p.parent) return p;
		var n = p.nodes.length / 2;
		p.parent = new Int32Array(n);
		p.nm = new Int32Array(n);
		p.kids = [];
		for (var i = 0; i < n; i++) {
			p.parent[i] = p.nodes[2 * i];
			p.nm[i] = p.nodes[2 * i + 1];
			p.kids.push([]);
			if (i) p.kids[p.parent[i]].push(i);
		}
		p.kids.forEach(function (k) {
			k.sort(function (a, b) {
				var x = p.names[p.nm[a]], y = p.names[p.nm[b]];
				return x < y ? -1 : x > y ? 1 : 0;
			});
		});
		return p;
	}
	// Weights of every node for the selected range (self), then totals.
	function weigh(p) {
		var n = p.parent.length, self = new Float64Array(n), i;
		var filtered = !!(state.range && p.timed);
		if (filtered) {
			var B = p.timed.buckets, sp = p.timed.span || 1;
			var b0 = Math.floor(state.range[0] / sp * B), b1 = Math.floor(state.range[1] / sp * B);
			var b = p.timed.b;
			for (i = 0; i < b.length; i += 3)
				if (b[i] >= b0 && b[i] <= b1) self[b[i + 1]] += b[i + 2];
		} else {
			for (i = 0; i < n; i++) self[i] = p.self[i];
		}
		var total = Float64Array.from(self);
		for (i = n - 1; i > 0; i--) total[p.parent[i]] += total[i];
		p.w = { self: self, total: total, filtered: filtered };
	}
	function layout(p) {
		var out = [], maxd = 0, tot = p.w.total;
		(function walk(i, x, d) {
			if (!tot[i]) return;
			out.push({ i: i, x: x, w: tot[i], d: d, name: p.names[p.nm[i]], self: p.w.self[i] });
			if (d > maxd) maxd = d;
			var cx = x;
			p.kids[i].forEach(function (k) { walk(k, cx, d + 1); cx += tot[k]; });
		})(0, 0, 0);
		p.frames = out;
		p.maxd = maxd;
	}
	function hash(s) {
		var h = 2166136261;
		for (var i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619); }
		return (h >>> 0) / 4294967296;
	}
	// Frames of the runtime rather than the program: kernel, V8 builtins
	// and stubs, libuv, libc/ld.so internals (folded by "collapse").
	var RUNTIME = /_\[k\]$|^(Builtins?_|Builtin:|BytecodeHandler:|Stub:|v8::internal::|v8::|uv_|uv__|__libc_|__GI_|__GI___|_dl_|__pthread_|pthread_|start_thread$|clone3?$|_start$|__clock_|__poll|__select|epoll_wait$|epoll_pwait)|\[(libc|libm|libpthread|ld-linux[^\]]*)\.so/;
	function internal(name) { return RUNTIME.test(name); }
	function family(name) {
		if (/^\[off-CPU: |^\[[a-z_]+:[a-z]+\]$/.test(name)) return "wait";
		if (/_\[k\]$/.test(name)) return "kernel";
		if (/_\[j\]$/.test(name) || /\.(m?js|ts)\b|^\(?anonymous|^~?[A-Za-z_$][\w$]* \S+\.js:\d+/.test(name)) return "js";
		return "native";
	}
	function color(f) {
		var v = hash(f.name), fam = family(f.name);
		if (fam === "kernel") return "rgb(" + (70 + Math.floor(50 * v)) + "," + (130 + Math.floor(50 * v)) + ",230)";
		if (fam === "wait") return "rgb(" + (150 + Math.floor(40 * v)) + "," + (130 + Math.floor(40 * v)) + ",200)";
		if (fam === "js") return "rgb(" + (50 + Math.floor(70 * v)) + "," + (170 + Math.floor(50 * v)) + "," + (50 + Math.floor(40 * v)) + ")";
		return "rgb(" + (220 + Math.floor(35 * v)) + "," + (70 + Math.floor(130 * v)) + ",30)";
	}
	function matcher(s) {
		if (!s) return null;
		var m = /^\/(.*)\/([imsu]*)$/.exec(s);
		if (m) { try { return new RegExp(m[1], m[2]); } catch (e) { return false; } }
		var low = s.toLowerCase();
		return { test: function (n) { return n.toLowerCase().indexOf(low) >= 0; } };
	}
	function drawFlame() {
		if (!P) return;
		var W = $("graph").clientWidth || 800, dpr = window.devicePixelRatio || 1;
		var base = P.frames.filter(function (f) { return f.i === state.zoom; })[0] || P.frames[0];
		if (!base) { base = { i: 0, x: 0, w: 1, d: 0 }; }
		var H = Math.max(1, P.maxd + 1) * FH, scale = W / (base.w || 1), re = matcher(state.search);
		var matched = 0;
		flameCanvas.width = Math.round(W * dpr);
		flameCanvas.height = Math.round(H * dpr);
		flameCanvas.style.height = H + "px";
		fctx.setTransform(dpr, 0, 0, dpr, 0, 0);
		fctx.clearRect(0, 0, W, H);
		fctx.font = "12px ui-monospace, Menlo, Consolas, monospace";
		fctx.textBaseline = "middle";
		drawn = [];
		var lastEnd = -1;
		P.frames.forEach(function (f) {
			var x, w, anc = false;
			if (f.d < base.d) {
				if (!(f.x <= base.x && f.x + f.w >= base.x + base.w)) return;
				x = 0; w = W; anc = true;
			} else {
				if (f.x < base.x || f.x + f.w > base.x + base.w || (f.d === base.d && f.i !== base.i)) return;
				x = (f.x - base.x) * scale; w = f.w * scale;
			}
			var hit = re && f.d > 0 && re.test(f.name);
			if (hit && !anc && f.x >= lastEnd) { matched += f.w; lastEnd = f.x + f.w; }
			if (w < 0.4) return;
			var y = (P.maxd - f.d) * FH;
			fctx.globalAlpha = anc ? 0.5 : 1;
			fctx.fillStyle = hit ? "rgb(230,0,230)" : f.d === 0 ? "#bbb" : color(f);
			fctx.fillRect(x, y, Math.max(w - 0.5, 0.4), FH - 1);
			var chars = Math.floor((w - 6) / 7);
			if (chars >= 3) {
				fctx.fillStyle = "#000";
				fctx.fillText(f.name.length <= chars ? f.name : f.name.substring(0, chars - 2) + "..", x + 3, y + FH / 2);
			}
			drawn.push({ f: f, x: x, y: y, w: w });
		});
		fctx.globalAlpha = 1;
		$("matched").textContent = re === false ? "bad regular expression" :
			re ? "Matched: " + (100 * matched / (base.w || 1)).toFixed(1) + "%" : "";
		$("reset-zoom").disabled = state.zoom === 0;
	}
	function details(f) {
		var t = P.w.total[0] || 1;
		$("details").textContent = f.name + " \u2014 " + weight(f.w, P.unit) + " (" +
			(100 * f.w / t).toFixed(2) + "%), self " + weight(f.self, P.unit) +
			" (" + (100 * f.self / t).toFixed(2) + "%)";
	}
	function frameAt(e) {
		var r = flameCanvas.getBoundingClientRect(), x = e.clientX - r.left, y = e.clientY - r.top;
		for (var k = drawn.length - 1; k >= 0; k--) {
			var d = drawn[k];
			if (x >= d.x && x < d.x + d.w && y >= d.y && y < d.y + FH) return d.f;
		}
		return null;
	}
	function refreshFlame() {
		if (!P) return;
		weigh(P);
		layout(P);
		var r = state.range;
		$("range").textContent = !r ? "Whole run" :
			!P.timed ? "Whole run (this profile has no sample times)" :
			"Range " + secs(r[0]) + " \u2013 " + secs(r[1]) + ": " +
			weight(P.w.total[0], P.unit);
		$("clear-range").disabled = !r;
		drawFlame();
	}
	function setRange(r) {
		state.range = r;
		state.zoom = 0;
		redrawCharts();
		refreshFlame();
	}
	// @p with runtime frames taken out of every stack: their weight goes
	// to the nearest caller that is the program's (same-named siblings
	// merge). Node ids change; the timed table is remapped.
	function collapsed(p) {
		if (p.folded) return p.folded;
		var n = p.nodes.length / 2, map = new Int32Array(n), key = {};
		var out = { name: p.name, unit: p.unit, total: p.total, names: p.names,
			nodes: [-1, p.nodes[1]], self: [0] };
		for (var i = 1; i < n; i++) {
			var par = map[p.nodes[2 * i]], nm = p.nodes[2 * i + 1];
			if (internal(p.names[nm])) { map[i] = par; continue; }
			var k = par + ":" + nm;
			if (key[k] === undefined) {
				key[k] = out.self.length;
				out.nodes.push(par, nm);
				out.self.push(0);
			}
			map[i] = key[k];
		}
		for (i = 0; i < n; i++) out.self[map[i]] += p.self[i];
		if (p.timed) {
			var b = p.timed.b, nb = [];
			for (i = 0; i < b.length; i += 3) nb.push(b[i], map[b[i + 1]], b[i + 2]);
			out.timed = { span: p.timed.span, buckets: p.timed.buckets, b: nb };
		}
		p.folded = out;
		return out;
	}
	function selectTab(i) {
		state.tab = i;
		state.zoom = 0;
		P = build(state.collapse ? collapsed(data.profiles[i]) : data.profiles[i]);
		var btns = $("tabs").children;
		for (var k = 0; k < btns.length; k++) {
			btns[k].classList.toggle("active", k === i);
			btns[k].setAttribute("aria-selected", k === i ? "true" : "false");
		}
		$("details").textContent = "\u00a0";
		refreshFlame();
	}
	function setupFlames() {
		flameCanvas = $("flame");
		fctx = flameCanvas.getContext("2d");
		if (!data.profiles || !data.profiles.length) {
			$("noprof").hidden = false;
			flameCanvas.hidden = true;
			return;
		}
		data.profiles.forEach(function (p, i) {
			var b = el("button", null, p.name === "blocked_loop" ? "blocked loop" : p.name);
			b.title = p.name === "blocked_loop" ?
				"what loop threads ran or waited on during their long ticks (" + weight(p.total, p.unit) + ")" :
				weight(p.total, p.unit);
			b.type = "button";
			b.setAttribute("role", "tab");
			b.setAttribute("data-tab", p.name);
			b.addEventListener("click", function () { selectTab(i); });
			$("tabs").appendChild(b);
		});
		flameCanvas.addEventListener("mousemove", function (e) {
			var f = frameAt(e);
			if (f) details(f);
		});
		flameCanvas.addEventListener("click", function (e) {
			var f = frameAt(e);
			if (!f) return;
			state.zoom = f.i === state.zoom && f.i ? P.parent[f.i] : f.i;
			details(f);
			drawFlame();
		});
		$("reset-zoom").addEventListener("click", function () { state.zoom = 0; drawFlame(); });
		$("clear-range").addEventListener("click", function () { setRange(null); });
		$("search").addEventListener("input", function () { state.search = this.value; drawFlame(); });
		$("collapse").addEventListener("change", function () {
			state.collapse = this.checked;
			selectTab(state.tab);
		});
		selectTab(0);
	}

	// --- findings link to their proof -------------------------------------
	function setupLinks() {
		document.querySelectorAll("a.to-chart").forEach(function (a) {
			a.addEventListener("click", function (e) {
				var c = $("chart-" + a.getAttribute("data-chart"));
				if (!c) return;
				e.preventDefault();
				c.scrollIntoView({ block: "center" });
				c.classList.add("flash");
				setTimeout(function () { c.classList.remove("flash"); }, 1500);
			});
		});
		document.querySelectorAll("a.to-tab").forEach(function (a) {
			a.addEventListener("click", function (e) {
				var name = a.getAttribute("data-tab");
				var i = (data.profiles || []).map(function (p) { return p.name; }).indexOf(name);
				if (i < 0) return;
				e.preventDefault();
				selectTab(i);
				$("flames").scrollIntoView({ block: "start" });
			});
		});
	}

	try {
		data = JSON.parse($("cdoc-data").textContent);
	} catch (e) {
		document.body.insertBefore(el("p", "none", "The embedded report data could not be read: " + e.message),
			document.body.firstChild);
		return;
	}
	setupCharts();
	setupFlames();
	setupLinks();
	redrawCharts();
	window.addEventListener("resize", function () { redrawCharts(); drawFlame(); });
	// For tests and for the curious.
	window.cdocReport = {
		state: state,
		charts: function () { return charts.map(function (c) { return { id: c.c.id, vals: c.vals.textContent, points: c.series.reduce(function (n, s) { return n + s.t.length; }, 0) }; }); },
		profile: function () { return P; },
		selectTab: selectTab,
		tabs: function () { return (data.profiles || []).map(function (p) { return { name: p.name, unit: p.unit, total: p.total }; }); },
		marks: function (id) { var c = (data.charts || []).filter(function (x) { return x.id === id; })[0]; return c && c.marks ? c.marks.length : 0; },
		drawn: function () { return drawn.map(function (d) { return { name: d.f.name, w: d.f.w, x: d.x, y: d.y, width: d.w }; }); },
		setRange: setRange
	};
})();
