// flame-svg.js - the interactive part of cflame's SVG flame graphs.
// Embedded by lib/flame/svg.c after a line defining `cfg` (settings) and
// the arrays `fx` / `fw` / `fd` (each frame's exact start and width in
// weight units and its depth, in the order of the frames in #frames). Works from a file:// URL:
// state (zoomed frame, search) lives in the fragment: #f=12&s=term.
"use strict";
var frames = [], details, searchbtn, unzoombtn, matchedtxt, icbtn;
var zoomed = -1, term = null, ignorecase = false;

function init(evt) {
	details = document.getElementById("details").firstChild;
	searchbtn = document.getElementById("search");
	icbtn = document.getElementById("ignorecase");
	unzoombtn = document.getElementById("unzoom");
	matchedtxt = document.getElementById("matched");
	var gs = document.getElementById("frames").children;
	for (var i = 0; i < gs.length; i++) {
		var g = gs[i];
		var title = g.querySelector("title").textContent;
		var cut = title.lastIndexOf(" (");
		var rect = g.querySelector("rect");
		g.setAttribute("data-i", i);
		frames.push({
			g: g, rect: rect, text: g.querySelector("text"),
			name: cut >= 0 ? title.substring(0, cut) : title,
			x: fx[i], w: fw[i], depth: fd[i],
			px: rect.getAttribute("x"), pw: rect.getAttribute("width"),
			fill: rect.getAttribute("fill"), label: null
		});
	}
	if (frames.length) frames[0].name = "all";
	var st = read_state();
	if (st.ic === "1") {
		ignorecase = true;
		icbtn.classList.add("show");
	}
	if (st.f !== undefined && frames[+st.f]) zoom(+st.f, true);
	if (st.s) search(st.s, true);
	window.addEventListener("click", on_click, false);
	window.addEventListener("mouseover", function (e) {
		var f = frame_of(e.target);
		if (f) details.nodeValue = cfg.nametype + " " +
			f.g.querySelector("title").textContent;
	}, false);
	window.addEventListener("mouseout", function (e) {
		if (frame_of(e.target)) details.nodeValue = " ";
	}, false);
	window.addEventListener("keydown", function (e) {
		if (e.keyCode === 114 || (e.ctrlKey && e.keyCode === 70)) {
			e.preventDefault();
			search_prompt();
		} else if (e.ctrlKey && e.keyCode === 73) {
			e.preventDefault();
			toggle_ignorecase();
		} else if (e.keyCode === 27) {
			unzoom(true);
		}
	}, false);
}

// State in the URL fragment (query strings are not kept for files).
function read_state() {
	var st = {}, h = window.location.hash.replace(/^#/, "").split("&");
	for (var i = 0; i < h.length; i++) {
		var kv = h[i].split("=");
		if (kv.length === 2 && kv[0])
			try { st[kv[0]] = decodeURIComponent(kv[1]); } catch (e) {}
	}
	return st;
}
function write_state() {
	var parts = [];
	if (zoomed > 0) parts.push("f=" + zoomed);
	if (term !== null) parts.push("s=" + encodeURIComponent(term));
	if (ignorecase) parts.push("ic=1");
	var url = window.location.href.split("#")[0] +
		(parts.length ? "#" + parts.join("&") : "");
	try {
		history.replaceState(null, "", url);
	} catch (e) {
		window.location.hash = parts.join("&");
	}
}

function frame_of(node) {
	while (node && node.parentNode) {
		if (node.parentNode.id === "frames")
			return frames[+node.getAttribute("data-i")];
		node = node.parentNode;
	}
	return null;
}
function on_click(e) {
	var f = frame_of(e.target);
	if (f) {
		var i = +f.g.getAttribute("data-i");
		if (i === 0 || i === zoomed) unzoom(true);
		else zoom(i, true);
		return;
	}
	var id = e.target.id;
	if (id === "unzoom") unzoom(true);
	else if (id === "search") search_prompt();
	else if (id === "ignorecase") toggle_ignorecase();
}

// Label a frame as flamegraph.pl does: as many characters as fit, ".."
// when cut, nothing below three characters.
function label(f, wpx) {
	var chars = Math.floor(wpx / (cfg.fontsize * cfg.fontwidth));
	var name = f.depth === 0 ? "all" : f.name;
	if (chars < 3) return "";
	var cps = Array.from(name);
	if (chars >= cps.length) return name;
	return cps.slice(0, chars - 2).join("") + "..";
}
function place(f, xpx, wpx) {
	f.rect.setAttribute("x", xpx.toFixed(1));
	f.rect.setAttribute("width", wpx.toFixed(1));
	f.text.setAttribute("x", (xpx + 3).toFixed(2));
	f.text.textContent = label(f, wpx);
}
function show(f, on) {
	if (on) f.g.classList.remove("hide");
	else f.g.classList.add("hide");
}

function zoom(i, save) {
	var base = frames[i], span = cfg.width - 2 * cfg.xpad;
	var ratio = span / base.w, end = base.x + base.w;
	zoomed = i;
	unzoombtn.classList.remove("hide");
	for (var j = 0; j < frames.length; j++) {
		var f = frames[j];
		f.g.classList.remove("parent");
		if (f.depth < base.depth) {
			var anc = f.x <= base.x && f.x + f.w >= end;
			show(f, anc);
			if (anc) {
				f.g.classList.add("parent");
				place(f, cfg.xpad, span);
			}
		} else if (f.x >= base.x && f.x + f.w <= end &&
			   (f.depth > base.depth || j === i)) {
			show(f, true);
			place(f, cfg.xpad + (f.x - base.x) * ratio, f.w * ratio);
		} else {
			show(f, false);
		}
	}
	if (term !== null) search(term, false);
	if (save) write_state();
}
function unzoom(save) {
	zoomed = -1;
	unzoombtn.classList.add("hide");
	for (var j = 0; j < frames.length; j++) {
		var f = frames[j];
		f.g.classList.remove("parent");
		show(f, true);
		f.rect.setAttribute("x", f.px);
		f.rect.setAttribute("width", f.pw);
		place(f, parseFloat(f.px), parseFloat(f.pw));
	}
	if (term !== null) search(term, false);
	if (save) write_state();
}

// Search: a regular expression, or the plain text when it is not one.
function matcher(t) {
	var flags = ignorecase ? "i" : "";
	try {
		return new RegExp(t, flags);
	} catch (e) {
		return new RegExp(t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), flags);
	}
}
function search_prompt() {
	if (term === null) {
		var t = prompt("Enter a search term (regexp allowed, eg: ^ext4_)" +
			(ignorecase ? ", ignoring case" : "") +
			"\nPress Ctrl-i to toggle case sensitivity", "");
		if (t) search(t, true);
	} else {
		reset_search();
	}
}
function reset_search() {
	term = null;
	for (var j = 0; j < frames.length; j++)
		frames[j].rect.setAttribute("fill", frames[j].fill);
	searchbtn.classList.remove("show");
	searchbtn.firstChild.nodeValue = "Search";
	matchedtxt.classList.add("hide");
	matchedtxt.firstChild.nodeValue = " ";
	write_state();
}
function toggle_ignorecase() {
	ignorecase = !ignorecase;
	if (ignorecase) icbtn.classList.add("show");
	else icbtn.classList.remove("show");
	if (term !== null) search(term, true);
	else write_state();
}
function search(t, save) {
	var re = matcher(t), base = zoomed > 0 ? frames[zoomed] : frames[0];
	var hits = [], count = 0, lastend = -1;
	term = t;
	for (var j = 0; j < frames.length; j++) {
		var f = frames[j];
		var on = j > 0 && re.test(f.name);
		f.rect.setAttribute("fill", on ? cfg.searchcolor : f.fill);
		if (on && f.x >= base.x && f.x + f.w <= base.x + base.w &&
		    f.depth >= base.depth)
			hits.push(f);
	}
	// Count each matched stretch once: an outer match covers inner ones.
	hits.sort(function (a, b) { return a.x - b.x || b.w - a.w; });
	for (var k = 0; k < hits.length; k++) {
		if (hits[k].x >= lastend) {
			count += hits[k].w;
			lastend = hits[k].x + hits[k].w;
		}
	}
	var pct = base.w ? 100 * count / base.w : 0;
	searchbtn.classList.add("show");
	searchbtn.firstChild.nodeValue = "Reset Search";
	matchedtxt.classList.remove("hide");
	matchedtxt.firstChild.nodeValue = "Matched: " +
		(pct === 100 ? "100" : pct.toFixed(1)) + "%";
	if (save) write_state();
}
