'use strict';
// Reads callgrind out files (positions: line, events: Ir) for tests/bench/tui_bench.sh.
// The runs dump once per frame (--dump-after=tui_draw_frame) or once per tree
// rebuild (--dump-after=tree_rebuild), so each file holds exactly one frame or
// one rebuild and no count is cut in half by a dump.
//
//   node tui_cg.js keys LABEL NKEYS FILE...   files of a key window (everything
//       collected, one file per frame): the frames that drew the tree are the
//       keys'; header-only frames (the spinner's timer) are left out. Per key:
//       tui_input_read + tui_draw_frame
//   node tui_cg.js idle FILE...               frames with no key: header only
//   node tui_cg.js apply LABEL FILE...        files of --dump-after=tree_rebuild,
//       toggled on probe_engine_apply_results, tui_tree_src_fill, tui_tree_build
//       (callgrind writes a toggled function's dump-after file empty, so the
//       dump is on tree_rebuild and the toggles on what it calls)
//   node tui_cg.js startup FILE               exec to the end of the first frame
//
// Each prints a few indented lines, then one "RESULT key=value ..." line that
// the shell script reads for its summary. Inclusive cost here is a
// function's own cost plus the cost of the calls it makes (callgrind's call
// records); a function that calls itself through another one would be
// counted twice, which the dashboard's hot paths do not do.
const fs = require('fs');

function parse(files) {
	const self = new Map(), out = new Map(), calls = new Map(), where = new Map();
	const add = (m, k, v) => m.set(k, (m.get(k) || 0) + v);
	let total = 0;
	for (const file of files) {
		// name compression ("fn=(12) name", later "fn=(12)") is per file
		const maps = {fl: new Map(), fn: new Map(), ob: new Map()};
		const kindOf = {fl: 'fl', fi: 'fl', fe: 'fl', cfi: 'fl', cfl: 'fl', fn: 'fn', cfn: 'fn', ob: 'ob', cob: 'ob'};
		const name = (kind, v) => {
			const m = /^\((\d+)\)(?: (.*))?$/.exec(v);
			if (!m) return v;
			if (m[2] !== undefined) maps[kind].set(m[1], m[2]);
			return maps[kind].get(m[1]) || `(${m[1]})`;
		};
		let fn = '', fl = '', ob = '', cfn = '', pending = false;
		for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
			const eq = line.indexOf('=');
			const key = eq > 0 ? line.slice(0, eq) : '';
			if (key && kindOf[key]) {
				const v = name(kindOf[key], line.slice(eq + 1));
				if (key === 'fn') {
					fn = v;
					if (!where.has(fn)) where.set(fn, (fl !== '???' ? fl : ob).replace(/^.*\//, ''));
				} else if (key === 'fl') fl = v;
				else if (key === 'ob') ob = v;
				else if (key === 'cfn') cfn = v;
				continue;
			}
			if (key === 'calls') {
				pending = true;
				add(calls, cfn, parseInt(line.slice(eq + 1), 10));
				continue;
			}
			if (line.startsWith('summary:')) { total += parseInt(line.slice(8), 10); continue; }
			if (!/^[-+*0-9]/.test(line)) continue;
			const cost = parseInt(line.trim().split(/\s+/)[1] || '0', 10) || 0;
			if (pending) {
				if (cfn !== fn) add(out, fn, cost);
				pending = false;
			} else add(self, fn, cost);
		}
	}
	const incl = new Map();
	for (const f of new Set([...self.keys(), ...out.keys()])) incl.set(f, (self.get(f) || 0) + (out.get(f) || 0));
	return {total, self, incl, calls, where};
}

const M = (n) => (n / 1e6).toFixed(2) + 'M';
const K = (n) => (n / 1e3).toFixed(0) + 'k';
const pct = (a, b) => (b ? (100 * a / b).toFixed(1) : '0.0') + '%';
const nm = (p, f) => `${f} (${p.where.get(f) || '?'})`;
// the call chain above the measured code: not worth listing (an unnamed
// function holding nearly everything is the dynamic loader's entry)
const CHAIN = /^(\(below main\)|__libc_start_main.*|__libc_start_call_main|main|tui_app_run|app_loop|loop_turn|start_thread|clone3?)$/;
function topIncl(p, n, skip = []) {
	return [...p.incl].filter(([f, c]) => !CHAIN.test(f) && !(/^0x/.test(f) && c >= 0.9 * p.total) && !skip.includes(f))
		.sort((a, b) => b[1] - a[1]).slice(0, n);
}
const topSelf = (p, n) => [...p.self].sort((a, b) => b[1] - a[1]).slice(0, n);
function printTop(p, n, per, unit, skip) {
	console.log(`    top ${n} by inclusive cost (${unit}):`);
	for (const [f, c] of topIncl(p, n, skip)) console.log(`      ${M(c / per).padStart(8)}  ${pct(c, p.total).padStart(6)}  ${nm(p, f)}`);
	console.log(`    top ${n} by own (self) cost:`);
	for (const [f, c] of topSelf(p, n)) console.log(`      ${M(c / per).padStart(8)}  ${pct(c, p.total).padStart(6)}  ${nm(p, f)}`);
}
const calls = (p, f) => p.calls.get(f) || 0;
const incl = (p, f) => p.incl.get(f) || 0;

const [mode, ...args] = process.argv.slice(2);
// key frames: files whose loop turn read a key and drew rows (the whole
// tree, or only the cursor's two rows); the rest are the spinner's
// header-only frames
const split = (files) => {
	const tree = [], header = [];
	for (const f of files) {
		const p = parse([f]);
		(calls(p, 'tui_input_read') > 0 || calls(p, 'draw_tree') > 0 ? tree : header).push(f);
	}
	return {tree, header};
};
if (mode === 'keys') {
	const [label, nkeys, ...files] = args;
	let n = parseInt(nkeys, 10);
	const {tree, header} = split(files);
	if (!tree.length) {
		console.log(`  ${label}: no frame drew the tree`);
		console.log('RESULT per_key=0');
		process.exit(0);
	}
	const p = parse(tree);
	const reads = calls(p, 'tui_input_read'), rows = calls(p, 'tui_rows_make');
	const kh = incl(p, 'tui_input_read'), rd = incl(p, 'tui_draw_frame');
	console.log(`  ${label}: ${n} keys, ${reads} reads, ${tree.length} frames with the tree ` +
		`(${(rows / tree.length).toFixed(0)} rows each; ${header.length} header-only frames left out)`);
	if (tree.length !== n) {
		// a frame that landed outside the window, or two keys in one read: per frame
		console.log(`    note: ${tree.length} key frames for ${n} keys: the figures are per frame`);
		n = tree.length;
	}
	console.log(`    ${M((kh + rd) / n)} per key: key handling ${K(kh / n)}, redraw ${M(rd / n)}` +
		` (draw_tree ${M(incl(p, 'draw_tree') / n)}, cursor rows only ${M(incl(p, 'draw_cursor') / n)}, refresh ${K(incl(p, 'wrefresh') / n)});` +
		` the whole loop turn, all threads: ${M(p.total / n)}`);
	if (reads !== n) console.log(`    note: ${reads} reads for ${n} frames`);
	printTop(p, 5, n, 'instructions per key', ['tui_draw_frame', 'tui_input_read']);
	console.log(`RESULT per_key=${Math.round((kh + rd) / n)} frames=${tree.length} reads=${reads}`);
} else if (mode === 'idle') {
	const {tree, header} = split(args);
	const p = parse(header), n = header.length, d = incl(p, 'tui_draw_frame');
	console.log(`  idle: ${n} header-only frames (the spinner, while probes are out; ${tree.length} with the tree):` +
		` ${K(n ? d / n : 0)} instructions each (the whole loop turn ${K(n ? p.total / n : 0)})`);
	console.log(`RESULT frames=${n} per_frame=${n ? Math.round(d / n) : 0}`);
} else if (mode === 'apply') {
	const [label, ...files] = args;
	const p = parse(files);
	const applied = calls(p, 'probe_job_free'), rebuilds = calls(p, 'tui_tree_build');
	const ar = incl(p, 'probe_engine_apply_results');
	const tr = incl(p, 'tui_tree_build') + incl(p, 'tui_tree_src_fill');
	const per = applied || 1;
	console.log(`  ${label}: ${applied} results applied, ${rebuilds} tree rebuilds`);
	console.log(`    per applied result: probe_engine_apply_results ${K(ar / per)}` +
		` (cache_put ${K(incl(p, 'cache_put') / per)}) + tree rebuild ${M(tr / per)}` +
		` (tui_tree_build ${M(incl(p, 'tui_tree_build') / per)}, tui_tree_src_fill ${K(incl(p, 'tui_tree_src_fill') / per)})` +
		` = ${M((ar + tr) / per)}`);
	if (rebuilds !== applied) console.log('    note: expected one rebuild per result');
	printTop(p, 5, per, 'instructions per applied result', ['probe_engine_apply_results', 'tree_rebuild']);
	console.log(`RESULT applied=${applied} rebuilds=${rebuilds} apply=${Math.round(ar / per)} rebuild=${Math.round(tr / per)}`);
} else if (mode === 'startup') {
	const p = parse(args);
	const load = incl(p, 'cache_each'), build = incl(p, 'tree_rebuild'), draw = incl(p, 'tui_draw_frame');
	const open = incl(p, 'probe_fleet_open') - incl(p, 'probe_engine_new');
	console.log(`  ${M(p.total)} instructions from exec to the end of the first frame:`);
	console.log(`    cache load + decode (cache_each) ${M(load)} ${pct(load, p.total)}, of it probe_reply_decode ${M(incl(p, 'probe_reply_decode'))}`);
	console.log(`    tree build ${M(build)} ${pct(build, p.total)}, first draw ${M(draw)} ${pct(draw, p.total)},` +
		` config + ssh_config + host list ${M(open)} ${pct(open, p.total)},` +
		` curses ${M(incl(p, 'tui_term_open'))}, background query ${K(incl(p, 'tui_theme_detect_bg'))}`);
	printTop(p, 8, 1, 'instructions', []);
	console.log(`RESULT total=${p.total} load=${load} build=${build} draw=${draw}`);
} else {
	console.error('usage: tui_cg.js keys|idle|apply|startup ...');
	process.exit(2);
}
