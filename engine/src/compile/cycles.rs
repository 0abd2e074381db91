//! Depth-first search with cycle reporting, shared by the three graph checks: computed
//! values that depend on themselves, cycles in the step graph, and conditions that decide
//! each other in a circle.

/// Walks the graph given by adjacency lists (`target` maps an edge to its node) and calls
/// `on_cycle(stack, to)` for every edge that closes a cycle: `stack` holds the nodes from
/// `to` to the node whose edge closes it, each with the index of the edge it left by plus
/// one. Returns the nodes in post-order (dependencies first). Iterative, so deep graphs
/// cannot overflow the stack.
pub(crate) fn dfs<E>(edges: &[Vec<E>], target: impl Fn(&E) -> usize, mut on_cycle: impl FnMut(&[(usize, usize)], usize)) -> Vec<usize> {
    let n = edges.len();
    let mut state = vec![0u8; n]; // 0 new, 1 on the stack, 2 done
    let mut order = Vec::with_capacity(n);
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if *next < edges[node].len() {
                let to = target(&edges[node][*next]);
                *next += 1;
                match state[to] {
                    0 => {
                        state[to] = 1;
                        stack.push((to, 0));
                    }
                    1 => {
                        let pos = stack.iter().position(|(x, _)| *x == to).unwrap_or(0);
                        on_cycle(&stack[pos..], to);
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                order.push(node);
                stack.pop();
            }
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::dfs;

    #[test]
    fn finds_cycles_and_orders_dependencies_first() {
        let edges = vec![vec![1], vec![2], vec![0], vec![0]];
        let mut cycles = Vec::new();
        let order = dfs(&edges, |e| *e, |stack, to| cycles.push((stack.iter().map(|s| s.0).collect::<Vec<_>>(), to)));
        assert_eq!(cycles, vec![(vec![0, 1, 2], 0)]);
        assert_eq!(order, vec![2, 1, 0, 3]);
    }
}
