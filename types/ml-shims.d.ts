// Typed shims for the untyped ml-* / libsvm-js packages: only the surface src/ml and its benchmark use.

declare module 'libsvm-js/asm' {
  interface SvmOptions {
    type?: string;
    kernel?: string;
    degree?: number;
    gamma?: number;
    coef0?: number;
    cost?: number;
    nu?: number;
    epsilon?: number;
    cacheSize?: number;
    tolerance?: number;
    shrinking?: boolean;
    probabilityEstimates?: boolean;
    weight?: Record<string, number>;
    quiet?: boolean;
  }
  interface ProbabilityResult {
    prediction: number;
    estimates: { label: number; probability: number }[];
  }
  class SVM {
    constructor(options?: SvmOptions);
    train(samples: number[][], labels: number[]): void;
    predictOne(sample: number[]): number;
    predict(samples: number[][]): number[];
    predictOneProbability(sample: number[]): ProbabilityResult;
    predictProbability(samples: number[][]): ProbabilityResult[];
    getLabels(): number[];
    getSVIndices(): number[];
    serializeModel(): string;
    free(): void;
    static load(serialized: string): SVM;
    static SVM_TYPES: { C_SVC: string; NU_SVC: string; ONE_CLASS: string; EPSILON_SVR: string; NU_SVR: string };
    static KERNEL_TYPES: { LINEAR: string; POLYNOMIAL: string; RBF: string; SIGMOID: string; PRECOMPUTED: string };
  }
  export default SVM;
}

declare module 'ml-knn' {
  export default class KNN {
    constructor(dataset: number[][], labels: number[], options?: { k?: number; distance?: (a: number[], b: number[]) => number });
    predict(dataset: number[][]): number[];
    predict(row: number[]): number;
    toJSON(): unknown;
    static load(model: unknown): KNN;
    kdTree: { nearest(point: number[], k: number): [number[], number][] };
    k: number;
  }
}

declare module 'ml-knn/src/KDTree.js' {
  export default class KDTree {
    constructor(points: number[][], metric: (a: number[], b: number[]) => number);
    nearest(point: number[], maxNodes: number, maxDistance?: number): [number[], number][];
  }
}

declare module 'ml-logistic-regression' {
  import type { Matrix } from 'ml-matrix';
  export default class LogisticRegression {
    constructor(options?: { numSteps?: number; learningRate?: number });
    train(X: Matrix, y: Matrix): void;
    predict(X: Matrix): number[];
    classifiers: { testScores(X: Matrix): number[]; weights: Matrix }[];
  }
}
