# The ESN fit of bench/esn-fit.ts the way a Python user writes it with numpy + scipy.sparse (as
# ReservoirPy does): a Python loop of CSR mat-vecs for the states, Z.T @ Z through numpy's BLAS,
# scipy.linalg.solve(assume_a='pos') for the ridge system. Same reservoir, signal and features
# [1; u; x] as the WASM run, in f64. Medians of 3 runs. Writes result.json into the given folder.
import json, sys, time
import numpy as np
import scipy.linalg
import scipy.sparse

folder, N, T, washout, leak, ridge = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
f32 = lambda name: np.fromfile(f"{folder}/{name}", dtype=np.float32).astype(np.float64)
i32 = lambda name: np.fromfile(f"{folder}/{name}", dtype=np.int32)
W = scipy.sparse.csr_matrix((f32("values.f32"), i32("columns.i32"), i32("rowstart.i32")), shape=(N, N))
w_in, bias, u, d = f32("win.f32"), f32("bias.f32"), f32("u.f32"), f32("d.f32")

def collect():
    x = np.zeros(N)
    states = np.empty((T, N))
    for t in range(T):
        x = (1 - leak) * x + leak * np.tanh(bias + w_in * u[t] + W @ x)
        states[t] = x
    return states

def design(states):
    Z = np.empty((T - washout, N + 2))
    Z[:, 0] = 1
    Z[:, 1] = u[washout:]
    Z[:, 2:] = states[washout:]
    return Z

def gram(Z):
    return Z.T @ Z, Z.T @ d[washout:]

def solve(A, b):
    D = np.full(A.shape[0], ridge)
    D[0] = 0
    return scipy.linalg.solve(A + np.diag(D), b, assume_a="pos")

timings = {"collect": [], "ztz": [], "solve": [], "fit": []}
for _ in range(3):
    t0 = time.perf_counter(); states = collect(); t1 = time.perf_counter()
    Z = design(states); A, b = gram(Z); t2 = time.perf_counter()
    w = solve(A, b); t3 = time.perf_counter()
    timings["collect"].append(t1 - t0); timings["ztz"].append(t2 - t1); timings["solve"].append(t3 - t2); timings["fit"].append(t3 - t0)
cfg = np.show_config(mode="dicts") if "mode" in np.show_config.__code__.co_varnames else None
blas = cfg["Build Dependencies"]["blas"]["name"] if cfg else "unknown"
try:
    from threadpoolctl import threadpool_info
    blas += ", " + ", ".join(f"{i['internal_api']} {i['num_threads']} threads" for i in threadpool_info())
except ImportError:
    pass
med = lambda v: 1000 * sorted(v)[1]
json.dump({"collectMs": med(timings["collect"]), "ztzMs": med(timings["ztz"]), "solveMs": med(timings["solve"]), "fitMs": med(timings["fit"]), "blas": blas, "wOut": w.tolist()}, open(f"{folder}/result.json", "w"))
