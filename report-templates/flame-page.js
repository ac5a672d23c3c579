// flame-page.js - the HTML flame graph page of cflame html and of cdoctor's
// reports. Reads the JSON in #cdoc-data (built by lib/flame/html.c):
//   {title, inverted, report, views: [{name, unit, total, diff, maxdelta,
//     frames: [name, depth, x, w, self, delta, ...] (preorder),
//     top / topTotal: [[name, self, total], ...], functions, names}]}
// Draws on a canvas; nothing is fetched. State lives in the URL fragment:
// #v=view&f=zoomed frame&s=search&i=1 (icicle)&h=hot frame index.
(function () {
	"use strict";
	var FH = 18, STRIDE = 6;
	var data, V, canvas, ctx, drawn = [], sortBy = "self";
	var state = { v: 0, f: 0, s: "", i: false, h: -1 };
	var $ = function (id) { return document.getElementById(id); };

	function fmt(n) {
		return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
	}
	function pct(n, total) {
		return (total ? 100 * n / total : 0).toFixed(2) + "%";
	}
	function el(tag, cls, text) {
		var e = document.createElement(tag);
		if (cls) e.className = cls;
		if (text !== undefined && text !== null) e.textContent = String(text);
		return e;
	}

	// --- the report block (cdoctor's diagnosis), text only -------------
	function kvTable(title, obj) {
		var box = el("div"), t = el("table", "kv");
		box.appendChild(el("h2", null, title));
		Object.keys(obj).forEach(function (k) {
			var tr = el("tr");
			var v = obj[k];
			tr.appendChild(el("td", null, k));
			tr.appendChild(el("td", null,
				typeof v === "number" ? fmt(v) :
				typeof v === "object" ? JSON.stringify(v) : v));
			t.appendChild(tr);
		});
		box.appendChild(t);
		return box;
	}
	function renderReport(r) {
		var box = $("report");
		if (!r || typeof r !== "object") return;
		box.hidden = false;
		if (r.title) box.appendChild(el("h2", null, r.title));
		if (r.subtitle) box.appendChild(el("div", null, r.subtitle));
		(Array.isArray(r.items) ? r.items : []).forEach(function (it) {
			var sev = /^(error|warning|info|ok)$/.test(it.severity) ?
				it.severity : "info";
			var d = el("div", "item " + sev), h = el("div");
			h.appendChild(el("span", "sev", sev));
			h.appendChild(el("strong", null, it.title || ""));
			d.appendChild(h);
			if (it.detail) d.appendChild(el("div", "detail", it.detail));
			if (it.recommendation)
				d.appendChild(el("div", "rec", "\u2192 " + it.recommendation));
			box.appendChild(d);
		});
		if (r.counters && typeof r.counters === "object")
			box.appendChild(kvTable("Counters", r.counters));
		if (r.metadata && typeof r.metadata === "object")
			box.appendChild(kvTable("Metadata", r.metadata));
	}

	// --- views ----------------------------------------------------------
	function build(v) {
		if (v.list) return v;
		var fr = v.frames, n = fr.length / STRIDE, list = new Array(n);
		var stack = [], maxdepth = 0;
		for (var i = 0; i < n; i++) {
			var o = i * STRIDE, d = fr[o + 1];
			var f = {
				i: i, name: v.names[fr[o]], depth: d, x: fr[o + 2],
				w: fr[o + 3], self: fr[o + 4], delta: fr[o + 5],
				parent: d > 0 ? stack[d - 1] : -1
			};
			stack[d] = i;
			if (d > maxdepth) maxdepth = d;
			list[i] = f;
		}
		v.list = list;
		v.maxdepth = maxdepth;
		v.hot = list.filter(function (f) { return f.depth > 0 && f.self > 0; })
			.sort(function (a, b) { return b.self - a.self || a.i - b.i; })
			.map(function (f) { return f.i; });
		return v;
	}

	// --- colours ----------------------------------------------------------
	function hash(s) {
		var h = 2166136261;
		for (var i = 0; i < s.length; i++) {
			h ^= s.charCodeAt(i);
			h = Math.imul(h, 16777619);
		}
		return (h >>> 0) / 4294967296;
	}
	function color(f) {
		if (V.diff) {
			var max = V.maxdelta || 1, d = Math.max(-max, Math.min(max, f.delta));
			if (d > 0) {
				var c = Math.floor(210 * (max - d) / max);
				return "rgb(255," + c + "," + c + ")";
			}
			if (d < 0) {
				var c2 = Math.floor(210 * (max + d) / max);
				return "rgb(" + c2 + "," + c2 + ",255)";
			}
			return "rgb(255,255,255)";
		}
		var v = hash(f.name), v2 = hash(f.name + "\u0001");
		return "rgb(" + (205 + Math.floor(50 * v2)) + "," +
			Math.floor(230 * v) + "," + Math.floor(55 * v2) + ")";
	}

	// --- search -----------------------------------------------------------
	function matcher(s) {
		if (!s) return null;
		var m = /^\/(.*)\/([imsu]*)$/.exec(s);
		if (m) {
			try { return new RegExp(m[1], m[2]); } catch (e) { return false; }
		}
		var low = s.toLowerCase();
		return { test: function (name) { return name.toLowerCase().indexOf(low) >= 0; } };
	}

	// --- drawing ------------------------------------------------------
	function base() {
		return V.list[state.f] || V.list[0];
	}
	function isAncestor(a, b) {
		return a.x <= b.x && a.x + a.w >= b.x + b.w && a.depth < b.depth;
	}
	function label(name, w) {
		var chars = Math.floor((w - 6) / 7);
		if (chars < 3) return "";
		return name.length <= chars ? name : name.substring(0, chars - 2) + "..";
	}
	function draw() {
		var b = base(), W = $("graph").clientWidth || 800;
		var dpr = window.devicePixelRatio || 1, H = (V.maxdepth + 1) * FH;
		var re = matcher(state.s), scale = W / (b.w || 1), end = b.x + b.w;
		var sel = state.h >= 0 ? V.hot[state.h] : -1;
		var matched = 0, lastEnd = -1;
		canvas.width = Math.round(W * dpr);
		canvas.height = Math.round(H * dpr);
		canvas.style.height = H + "px";
		ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
		ctx.clearRect(0, 0, W, H);
		ctx.font = "12px ui-monospace, Menlo, Consolas, monospace";
		ctx.textBaseline = "middle";
		drawn = [];
		for (var k = 0; k < V.list.length; k++) {
			var f = V.list[k], x, w, anc = false;
			if (f.depth < b.depth) {
				if (!isAncestor(f, b)) continue;
				x = 0; w = W; anc = true;
			} else {
				if (f.x < b.x || f.x + f.w > end || (f.depth === b.depth && f !== b))
					continue;
				x = (f.x - b.x) * scale;
				w = f.w * scale;
			}
			var hit = re && f.depth > 0 && re.test(f.name);
			if (hit && !anc && f.x >= lastEnd) {
				matched += f.w;
				lastEnd = f.x + f.w;
			}
			if (w < 0.3) continue;
			var y = state.i ? f.depth * FH : (V.maxdepth - f.depth) * FH;
			ctx.globalAlpha = anc ? 0.5 : 1;
			ctx.fillStyle = hit ? "rgb(230,0,230)" : color(f);
			ctx.fillRect(x, y, Math.max(w - 0.5, 0.3), FH - 1);
			if (f.i === sel) {
				ctx.strokeStyle = "#000";
				ctx.lineWidth = 2;
				ctx.strokeRect(x + 1, y + 1, Math.max(w - 2, 1), FH - 3);
			}
			var t = label(f.name, w);
			if (t) {
				ctx.fillStyle = "#000";
				ctx.fillText(t, x + 3, y + FH / 2);
			}
			drawn.push({ i: f.i, name: f.name, x: x, y: y, w: w, h: FH - 1 });
		}
		ctx.globalAlpha = 1;
		$("matched").textContent = re === false ? "bad regular expression" :
			re ? "Matched: " + (100 * matched / (b.w || 1)).toFixed(1) + "%" : "";
		$("reset").disabled = state.f === 0;
		if (sel >= 0) details(V.list[sel], "hot #" + (state.h + 1) + ": ");
	}

	// --- interaction --------------------------------------------------
	function details(f, prefix) {
		var t = V.total, s = (prefix || "") + f.name + " \u2014 " + fmt(f.w) +
			" " + V.unit + " (" + pct(f.w, t) + "), self " + fmt(f.self) +
			" (" + pct(f.self, t) + ")";
		if (V.diff) s += ", change " + (f.delta > 0 ? "+" : "") + fmt(f.delta);
		$("details").textContent = s;
	}
	function frameAt(ev) {
		var r = canvas.getBoundingClientRect();
		var x = ev.clientX - r.left, y = ev.clientY - r.top;
		for (var k = drawn.length - 1; k >= 0; k--) {
			var d = drawn[k];
			if (x >= d.x && x < d.x + d.w && y >= d.y && y < d.y + d.h)
				return V.list[d.i];
		}
		return null;
	}
	function zoom(i) {
		state.f = i;
		save();
		draw();
	}
	function hot(step) {
		if (!V.hot.length) return;
		var h = step === 0 ? 0 : state.h + step;
		if (h < 0) h = V.hot.length - 1;
		if (h >= V.hot.length) h = 0;
		state.h = h;
		var f = V.list[V.hot[h]];
		state.f = f.parent > 0 ? f.parent : 0;
		save();
		draw();
	}

	// --- state in the URL fragment --------------------------------------
	function load() {
		var parts = location.hash.replace(/^#/, "").split("&");
		parts.forEach(function (p) {
			var kv = p.split("=");
			if (kv.length !== 2) return;
			var v;
			try { v = decodeURIComponent(kv[1]); } catch (e) { return; }
			if (kv[0] === "s") state.s = v;
			else if (kv[0] === "i") state.i = v === "1";
			else if (/^(v|f|h)$/.test(kv[0]) && /^-?\d+$/.test(v)) state[kv[0]] = +v;
		});
		if (!data.views[state.v]) state.v = 0;
	}
	function save() {
		var p = ["v=" + state.v];
		if (state.f) p.push("f=" + state.f);
		if (state.s) p.push("s=" + encodeURIComponent(state.s));
		if (state.i) p.push("i=1");
		if (state.h >= 0) p.push("h=" + state.h);
		var url = location.href.split("#")[0] + "#" + p.join("&");
		try {
			history.replaceState(null, "", url);
		} catch (e) {
			location.hash = p.join("&");
		}
	}

	// --- top table ----------------------------------------------------
	function table() {
		var rows = sortBy === "self" ? V.top : V.topTotal, body = $("top").tBodies[0];
		body.textContent = "";
		rows.forEach(function (r) {
			var tr = el("tr"), name = V.names[r[0]];
			tr.appendChild(el("td", "fn", name));
			tr.appendChild(el("td", "num", fmt(r[1])));
			tr.appendChild(el("td", "num", pct(r[1], V.total)));
			tr.appendChild(el("td", "num", fmt(r[2])));
			tr.appendChild(el("td", "num", pct(r[2], V.total)));
			tr.addEventListener("click", function () {
				state.s = "/^" + name.replace(/[.*+?^${}()|[\]\\\/]/g, "\\$&") + "$/";
				$("search").value = state.s;
				save();
				draw();
			});
			body.appendChild(tr);
		});
		document.querySelectorAll("#top th.sort").forEach(function (th) {
			th.classList.toggle("sorted", th.getAttribute("data-sort") === sortBy);
		});
		$("topnote").textContent = "(" + fmt(V.functions) + " functions, " +
			fmt(V.total) + " " + V.unit + "; counted once per sample even when recursive)";
	}

	function selectView(i) {
		state.v = i;
		V = build(data.views[i]);
		var btns = $("views").children;
		for (var k = 0; k < btns.length; k++)
			btns[k].classList.toggle("active", k === i);
		if (!V.list[state.f]) state.f = 0;
		if (state.h >= V.hot.length) state.h = -1;
		table();
		draw();
	}
	function setup() {
		canvas = $("flame");
		ctx = canvas.getContext("2d");
		$("title").textContent = data.title || "Flame Graph";
		renderReport(data.report);
		if (data.views.length > 1) {
			data.views.forEach(function (v, i) {
				var b = el("button", null, v.name);
				b.type = "button";
				b.addEventListener("click", function () {
					state.f = 0; state.h = -1;
					selectView(i);
					save();
				});
				$("views").appendChild(b);
			});
		}
		state.i = !!data.inverted;
		load();
		$("icicle").checked = state.i;
		$("search").value = state.s;
		canvas.addEventListener("mousemove", function (ev) {
			var f = frameAt(ev);
			if (f) details(f);
		});
		canvas.addEventListener("click", function (ev) {
			var f = frameAt(ev);
			if (!f) return;
			state.h = -1;
			zoom(f.i === state.f ? (f.parent > 0 ? f.parent : 0) : f.i);
			details(f);
		});
		$("reset").addEventListener("click", function () { state.h = -1; zoom(0); });
		$("icicle").addEventListener("change", function () {
			state.i = this.checked; save(); draw();
		});
		$("search").addEventListener("input", function () {
			state.s = this.value; save(); draw();
		});
		$("hot").addEventListener("click", function () { hot(0); });
		$("hot-next").addEventListener("click", function () { hot(1); });
		$("hot-prev").addEventListener("click", function () { hot(-1); });
		document.querySelectorAll("#top th.sort").forEach(function (th) {
			th.addEventListener("click", function () {
				sortBy = th.getAttribute("data-sort");
				table();
			});
		});
		window.addEventListener("resize", draw);
		window.addEventListener("keydown", function (e) {
			if (e.key === "Escape") { state.h = -1; zoom(0); }
		});
		selectView(state.v);
	}

	try {
		data = JSON.parse($("cdoc-data").textContent);
	} catch (e) {
		document.body.insertBefore(el("p", "error-box",
			"The embedded profile data could not be read: " + e.message),
			document.body.firstChild);
		return;
	}
	setup();
	// For tests and for the curious: the state and what was drawn.
	window.cdocFlame = {
		state: state,
		drawn: function () { return drawn; },
		view: function () { return V; }
	};
})();
