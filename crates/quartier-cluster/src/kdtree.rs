//! A static KD-tree stored as the items themselves, sorted in place (the layout of kdbush):
//! no node objects, no pointers, no allocation per query beyond the caller's buffers.
//!
//! The slice is split at its middle element `m = (left + right) / 2` along x, then each half
//! along y, and so on, until a range holds at most `NODE_SIZE + 1` items, which are scanned
//! linearly. A query walks the same splits, so the tree needs nothing but the slice.

/// Leaf size: ranges this small are scanned rather than split. 64 is kdbush's default; smaller
/// leaves make the build slower (more selection passes) for little gain at query time.
pub(crate) const NODE_SIZE: usize = 64;

/// Something with a position in the projected plane.
pub(crate) trait Positioned {
    fn x(&self) -> f64;
    fn y(&self) -> f64;
}

/// One pending range of a traversal: `[left, right]` inclusive, split along `axis` (0 = x).
#[derive(Clone, Copy)]
pub(crate) struct Span {
    left: u32,
    right: u32,
    axis: u8,
}

/// Sorts `items` in place into KD-tree order.
pub(crate) fn build<T: Positioned>(items: &mut [T]) {
    sort(items, 0);
}

fn sort<T: Positioned>(items: &mut [T], axis: u8) {
    // Same leaf test as the queries: `right - left <= NODE_SIZE`.
    if items.len() <= NODE_SIZE + 1 {
        return;
    }
    // Relative middle; equals the absolute `(left + right) / 2` the queries compute.
    let m = (items.len() - 1) / 2;
    if axis == 0 {
        items.select_nth_unstable_by(m, |a, b| a.x().total_cmp(&b.x()));
    } else {
        items.select_nth_unstable_by(m, |a, b| a.y().total_cmp(&b.y()));
    }
    let (low, rest) = items.split_at_mut(m);
    sort(low, 1 - axis);
    sort(&mut rest[1..], 1 - axis);
}

/// Positions of the items within `r` (inclusive) of `(qx, qy)`, written to `out` (cleared first).
/// `stack` is scratch space, kept by the caller so that repeated queries do not allocate.
pub(crate) fn within<T: Positioned>(
    items: &[T],
    qx: f64,
    qy: f64,
    r: f64,
    out: &mut Vec<u32>,
    stack: &mut Vec<Span>,
) {
    out.clear();
    let r2 = r * r;
    let near = |item: &T| {
        let dx = item.x() - qx;
        let dy = item.y() - qy;
        dx * dx + dy * dy <= r2
    };
    walk(
        items,
        stack,
        |axis, item| {
            if axis == 0 {
                (qx - r <= item.x(), qx + r >= item.x())
            } else {
                (qy - r <= item.y(), qy + r >= item.y())
            }
        },
        |i, item| {
            if near(item) {
                out.push(i);
            }
        },
    );
}

/// Calls `found` with the position of every item inside the box (bounds inclusive).
pub(crate) fn range<T: Positioned>(
    items: &[T],
    [min_x, min_y, max_x, max_y]: [f64; 4],
    stack: &mut Vec<Span>,
    mut found: impl FnMut(u32),
) {
    walk(
        items,
        stack,
        |axis, item| {
            if axis == 0 {
                (min_x <= item.x(), max_x >= item.x())
            } else {
                (min_y <= item.y(), max_y >= item.y())
            }
        },
        |i, item| {
            let (x, y) = (item.x(), item.y());
            if x >= min_x && x <= max_x && y >= min_y && y <= max_y {
                found(i);
            }
        },
    )
}

/// The traversal shared by both queries. `sides(axis, split)` says whether the query can reach
/// the lower and the upper half of a split; `visit(position, item)` tests one item.
fn walk<T: Positioned>(
    items: &[T],
    stack: &mut Vec<Span>,
    sides: impl Fn(u8, &T) -> (bool, bool),
    mut visit: impl FnMut(u32, &T),
) {
    stack.clear();
    let Some(last) = items.len().checked_sub(1) else {
        return;
    };
    // Positions fit in u32: the index caps its input (see `MAX_POINTS`).
    stack.push(Span {
        left: 0,
        right: last as u32,
        axis: 0,
    });
    while let Some(Span { left, right, axis }) = stack.pop() {
        if (right - left) as usize <= NODE_SIZE {
            let leaf = &items[left as usize..=right as usize];
            for (offset, item) in leaf.iter().enumerate() {
                visit(left + offset as u32, item);
            }
            continue;
        }
        let m = left + (right - left) / 2;
        let split = &items[m as usize];
        visit(m, split);
        let (lower, upper) = sides(axis, split);
        // Non-leaf ranges hold more than NODE_SIZE items, so `left < m < right`.
        if lower {
            stack.push(Span {
                left,
                right: m - 1,
                axis: 1 - axis,
            });
        }
        if upper {
            stack.push(Span {
                left: m + 1,
                right,
                axis: 1 - axis,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug)]
    struct P(f64, f64);

    impl Positioned for P {
        fn x(&self) -> f64 {
            self.0
        }
        fn y(&self) -> f64 {
            self.1
        }
    }

    /// splitmix64: a seeded generator good enough for test data, no dependency.
    fn uniform(state: &mut u64) -> f64 {
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn random_points(n: usize, seed: u64) -> Vec<P> {
        let mut state = seed;
        (0..n)
            .map(|_| P(uniform(&mut state), uniform(&mut state)))
            .collect()
    }

    #[test]
    fn within_finds_exactly_what_a_linear_scan_finds() {
        let mut points = random_points(5_000, 7);
        build(&mut points);
        let (mut out, mut stack) = (Vec::new(), Vec::new());
        let mut state = 99;
        for _ in 0..200 {
            let (qx, qy, r) = (
                uniform(&mut state),
                uniform(&mut state),
                uniform(&mut state) / 10.0,
            );
            within(&points, qx, qy, r, &mut out, &mut stack);
            out.sort_unstable();
            let expected: Vec<u32> = (0..points.len() as u32)
                .filter(|&i| {
                    let p = points[i as usize];
                    (p.0 - qx).powi(2) + (p.1 - qy).powi(2) <= r * r
                })
                .collect();
            assert_eq!(out, expected);
        }
    }

    #[test]
    fn range_finds_exactly_what_a_linear_scan_finds() {
        let mut points = random_points(5_000, 11);
        build(&mut points);
        let mut stack = Vec::new();
        let mut state = 5;
        for _ in 0..200 {
            let (a, b) = (uniform(&mut state), uniform(&mut state));
            let (c, d) = (uniform(&mut state), uniform(&mut state));
            let bbox = [a.min(b), c.min(d), a.max(b), c.max(d)];
            let mut found = Vec::new();
            range(&points, bbox, &mut stack, |i| found.push(i));
            found.sort_unstable();
            let expected: Vec<u32> = (0..points.len() as u32)
                .filter(|&i| {
                    let p = points[i as usize];
                    p.0 >= bbox[0] && p.0 <= bbox[2] && p.1 >= bbox[1] && p.1 <= bbox[3]
                })
                .collect();
            assert_eq!(found, expected);
        }
    }

    #[test]
    fn empty_and_tiny_trees_answer_without_panicking() {
        let (mut out, mut stack) = (Vec::new(), Vec::new());
        let mut empty: Vec<P> = Vec::new();
        build(&mut empty);
        within(&empty, 0.5, 0.5, 1.0, &mut out, &mut stack);
        assert!(out.is_empty());
        let mut one = vec![P(0.5, 0.5)];
        build(&mut one);
        within(&one, 0.5, 0.5, 0.0, &mut out, &mut stack);
        assert_eq!(out, [0]);
    }
}
