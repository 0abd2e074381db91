//! The graph checks: the step graph (unknown targets are reported earlier; here cycles and
//! unreachable steps), the dependency graph of all expressions (stored in the form for
//! incremental evaluation), conditions that decide each other in a circle, and conditions
//! that read a field which is only asked later.

use super::Compiler;
use crate::diag::codes;
use crate::diag::{Diagnostic, Span};
use crate::expr::{CExpr, Dep};
use crate::form::{DepGraph, Form, Site, StepKind, Target};
use crate::ids::{FieldId, StepId};
use crate::syntax::ast::{FormAst, NextAst};

fn deps_of(e: &CExpr) -> Vec<Dep> {
    let mut v = Vec::new();
    e.deps(&mut v);
    v
}

pub(super) fn check_graph(c: &mut Compiler<'_>, ast: &FormAst, form: &mut Form) {
    // The dependency graph.
    let mut g = DepGraph {
        field_readers: vec![Vec::new(); form.fields.len()],
        value_readers: vec![Vec::new(); form.values.len()],
        today_readers: Vec::new(),
    };
    for (site, e) in form.sites() {
        for d in deps_of(e) {
            match d {
                Dep::Field(f) => g.field_readers[f.ix()].push(site),
                Dep::Value(v) => g.value_readers[v.ix()].push(site),
                Dep::Today => g.today_readers.push(site),
            }
        }
    }

    let n = form.steps.len();
    // Step edges, with the span of the `goto` that makes each (for messages).
    let goto_span = |s: usize, b: usize| -> Option<Span> {
        match &ast.steps.get(s)?.next {
            Some(NextAst::Goto(g)) => Some(g.span),
            Some(NextAst::Branches(bs)) => bs.get(b).and_then(|b| b.goto.as_ref()).map(|g| g.span),
            None => None,
        }
    };
    let succ: Vec<Vec<(usize, usize)>> = form
        .steps
        .iter()
        .map(|s| {
            s.next.iter().enumerate().filter_map(|(b, br)| if let Target::Step(t) = br.target { Some((t.ix(), b)) } else { None }).collect()
        })
        .collect();

    // Cycles in the step graph.
    let mut acyclic = true;
    super::cycles::dfs(
        &succ,
        |e| e.0,
        |stack, to| {
            acyclic = false;
            let mut chain: Vec<String> = stack.iter().map(|(x, _)| format!("`{}`", form.steps[*x].id)).collect();
            chain.push(format!("`{}`", form.steps[to].id));
            let (node, k) = *stack.last().expect("a cycle has a node");
            let span = goto_span(node, succ[node][k - 1].1).unwrap_or(ast.steps[node].span);
            c.err(
                Diagnostic::error(codes::E0302, span, format!("the steps form a cycle: {}", chain.join(" → "))).with_help(
                    "an assistant always moves forward; to let citizens correct answers the summary links back to each step. Point this `goto` to a later step",
                ),
            );
        },
    );

    // Reachability from the first step.
    let mut reach = vec![false; n];
    if n > 0 {
        let mut todo = vec![0];
        reach[0] = true;
        while let Some(s) = todo.pop() {
            for &(t, _) in &succ[s] {
                if !reach[t] {
                    reach[t] = true;
                    todo.push(t);
                }
            }
        }
    }
    for (i, r) in reach.iter().enumerate() {
        if !r {
            let span = ast.steps[i].id.as_ref().map_or(ast.steps[i].span, |id| id.span);
            c.diags.push(
                Diagnostic::warning(codes::W0401, span, format!("no path reaches the step `{}`", form.steps[i].id))
                    .with_help("every `next` before it jumps past it; add a `goto` to it, or remove the step"),
            );
        }
    }

    if acyclic {
        let preds = predecessors(&succ, n);
        later_reads(c, form, &preds);
        condition_cycles(c, form);
    }
    form.deps = g;
}

/// For each step, the steps from which it can be reached (itself excluded), as bitsets.
fn predecessors(succ: &[Vec<(usize, usize)>], n: usize) -> Vec<Vec<u64>> {
    let words = n.div_ceil(64);
    let mut preds = vec![vec![0u64; words]; n];
    // Steps in topological order (the graph is acyclic here).
    let mut indeg = vec![0usize; n];
    for s in succ {
        for &(t, _) in s {
            indeg[t] += 1;
        }
    }
    let mut order: Vec<usize> = (0..n).filter(|&i| indeg[i] == 0).collect();
    let mut i = 0;
    while i < order.len() {
        let s = order[i];
        i += 1;
        for &(t, _) in &succ[s] {
            indeg[t] -= 1;
            if indeg[t] == 0 {
                order.push(t);
            }
        }
    }
    for &s in &order {
        let mut mine = preds[s].clone();
        mine[s / 64] |= 1 << (s % 64);
        for &(t, _) in &succ[s] {
            for (w, m) in preds[t].iter_mut().zip(&mine) {
                *w |= m;
            }
        }
    }
    preds
}

fn has(set: &[u64], i: usize) -> bool {
    set[i / 64] & (1 << (i % 64)) != 0
}

/// W0404: a `when` or `next` reading a field of a later step, a `visible_if` reading a
/// field of a later step.
fn later_reads(c: &mut Compiler<'_>, form: &Form, preds: &[Vec<u64>]) {
    for (site, e) in form.sites() {
        let (step, own_ok, what) = match site {
            Site::When(s) => (s, false, "this `when`"),
            Site::Next(s, _) => (s, true, "this `next` condition"),
            Site::Visible(f) => (form.fields[f.ix()].step, true, "this `visible_if`"),
            _ => continue,
        };
        for d in deps_of(e) {
            let Dep::Field(f) = d else { continue };
            let t = form.fields[f.ix()].step;
            let before = has(&preds[step.ix()], t.ix()) || (own_ok && t == step);
            if !before && form.steps[t.ix()].kind == StepKind::Question {
                let span = c.site_spans.get(&site).copied().unwrap_or_default();
                c.diags.push(
                    Diagnostic::warning(
                        codes::W0404,
                        span,
                        format!(
                            "{what} reads `{}`, which is asked only later (on step `{}`)",
                            form.fields[f.ix()].id,
                            form.steps[t.ix()].id
                        ),
                    )
                    .with_help("while it is decided the field is still empty; ask the field on an earlier step, or move the condition"),
                );
                break;
            }
        }
    }
}

/// E0307: conditions that decide each other in a circle. Nodes: each field (its activity
/// and value), each `values` entry, and each step's place on the path.
fn condition_cycles(c: &mut Compiler<'_>, form: &Form) {
    let nf = form.fields.len();
    let nv = form.values.len();
    let ns = form.steps.len();
    // Node numbering: fields, values, step places (on the path), steps walked. A step is
    // walked when a walked predecessor's `next` leads to it; it is on the path when it is
    // walked and its `when` holds (docs/form-language.md#the-path); its fields are active only while it is on the path.
    let place = |s: usize| nf + nv + s;
    let walked = |s: usize| nf + nv + ns + s;
    let total = nf + nv + 2 * ns;
    let mut edges: Vec<Vec<(usize, Option<Site>)>> = vec![Vec::new(); total];
    let node_of = |d: Dep| match d {
        Dep::Field(f) => Some(f.ix()),
        Dep::Value(v) => Some(nf + v.ix()),
        Dep::Today => None,
    };
    for (i, f) in form.fields.iter().enumerate() {
        let id = FieldId(i as u32);
        if let Some(e) = &f.visible_if {
            edges[i].extend(deps_of(e).into_iter().filter_map(node_of).map(|t| (t, Some(Site::Visible(id)))));
        }
        if let Some(e) = &f.value {
            edges[i].extend(deps_of(e).into_iter().filter_map(node_of).map(|t| (t, Some(Site::Computed(id)))));
        }
        for (n, o) in f.options.iter().enumerate() {
            if let Some(e) = &o.cond {
                edges[i].extend(deps_of(e).into_iter().filter_map(node_of).map(|t| (t, Some(Site::OptionIf(id, n as u32)))));
            }
        }
        if let Some(p) = f.parent {
            edges[i].push((p.ix(), None));
        }
        edges[i].push((place(f.step.ix()), None));
    }
    for (i, v) in form.values.iter().enumerate() {
        edges[nf + i]
            .extend(deps_of(&v.expr).into_iter().filter_map(node_of).map(|t| (t, Some(Site::Value(crate::ids::ValueId(i as u32))))));
    }
    for (s, step) in form.steps.iter().enumerate() {
        let sid = StepId(s as u32);
        if let Some(e) = &step.when {
            edges[place(s)].extend(deps_of(e).into_iter().filter_map(node_of).map(|t| (t, Some(Site::When(sid)))));
        }
        edges[place(s)].push((walked(s), None));
        for (n, br) in step.next.iter().enumerate() {
            let Target::Step(t) = br.target else { continue };
            edges[walked(t.ix())].push((walked(s), None));
            // Every branch up to the one taken is evaluated.
            for (m, b) in step.next.iter().enumerate().take(n + 1) {
                if let Some(e) = &b.cond {
                    edges[walked(t.ix())].extend(deps_of(e).into_iter().filter_map(node_of).map(|d| (d, Some(Site::Next(sid, m as u32)))));
                }
            }
        }
    }
    super::cycles::dfs(
        &edges,
        |e| e.0,
        |stack, _to| {
            // The sites along the cycle; a cycle made only of calculations was reported as
            // E0306 already.
            let cyc: Vec<Site> = stack.iter().filter_map(|(x, k)| edges[*x].get(k - 1).and_then(|e| e.1)).collect();
            if cyc.iter().all(|s| matches!(s, Site::Computed(_) | Site::Value(_))) {
                return;
            }
            let names: Vec<String> = stack
                .iter()
                .filter_map(|(x, _)| {
                    if *x < nf {
                        Some(format!("`{}`", form.fields[*x].id))
                    } else if *x < nf + nv {
                        Some(format!("`{}`", form.values[*x - nf].id))
                    } else {
                        None
                    }
                })
                .collect();
            let site = cyc.iter().find(|s| !matches!(s, Site::Computed(_) | Site::Value(_))).copied();
            let span = site.and_then(|s| c.site_spans.get(&s).copied()).unwrap_or_default();
            c.err(
                Diagnostic::error(codes::E0307, span, format!("these conditions decide each other in a circle: {}", names.join(" → ")))
                    .with_help("a field's visibility (or a step's place on the path) cannot depend on itself; decide one of them from earlier answers only"),
            );
        },
    );
}
