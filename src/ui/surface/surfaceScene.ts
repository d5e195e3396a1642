// three.js scene of the two-block polynomial p(t₁, t₂) = g(W + t₁Δ₁ + t₂Δ₂; x) (model.md §4).
// A bilinear p is a saddle ruled by straight lines: every t₁ = const and t₂ = const line drawn on
// the surface is straight. The scene owns its renderer and frees it in dispose().

import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { evaluateMultivariate, type PolynomialLayout } from '../../model/polynomial';

/** Grid of the surface mesh per axis, and ruling lines drawn per axis. */
const MESH_STEPS = 48;
const RULINGS = 9;

export interface SurfaceData {
  layout: PolynomialLayout;
  coefficients: number[];
  radius: number;
}

/** Diverging blue–white–orange by height in [−1, 1] (readable for common colour-vision deficiencies). */
function heightColour(h: number, out: THREE.Color): THREE.Color {
  const a = new THREE.Color('#0072B2');
  const b = new THREE.Color('#f7f7f7');
  const c = new THREE.Color('#E69F00');
  return h < 0 ? out.copy(b).lerp(a, -h) : out.copy(b).lerp(c, h);
}

export class SurfaceScene {
  private readonly renderer: THREE.WebGLRenderer;
  private readonly scene = new THREE.Scene();
  private readonly camera = new THREE.PerspectiveCamera(40, 1, 0.1, 100);
  private readonly controls: OrbitControls;
  private content = new THREE.Group();
  private frame = 0;

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.renderer = new THREE.WebGLRenderer({
      canvas,
      antialias: true,
      preserveDrawingBuffer: true,
    });
    this.renderer.setPixelRatio(window.devicePixelRatio || 1);
    this.scene.background = new THREE.Color('#ffffff');
    this.camera.position.set(2.3, -3.0, 1.9);
    this.camera.up.set(0, 0, 1);
    this.controls = new OrbitControls(this.camera, canvas);
    this.controls.addEventListener('change', () => this.render());
    this.scene.add(new THREE.AmbientLight(0xffffff, 1.6));
    const light = new THREE.DirectionalLight(0xffffff, 1.4);
    light.position.set(2, -3, 5);
    this.scene.add(light);
    this.scene.add(this.content);
    this.resize();
  }

  /** Rebuilds the surface for new coefficients. Heights are rescaled to [−1, 1] around p(0, 0). */
  setData(data: SurfaceData): { range: number; bilinearError: number } {
    this.clearContent();
    const { layout, coefficients, radius } = data;
    const p = (t1: number, t2: number) => evaluateMultivariate(layout, coefficients, [t1, t2]);
    const p0 = p(0, 0);
    let range = 0;
    const heights: number[] = [];
    for (let i = 0; i <= MESH_STEPS; i++) {
      for (let j = 0; j <= MESH_STEPS; j++) {
        const z = p(((2 * i) / MESH_STEPS - 1) * radius, ((2 * j) / MESH_STEPS - 1) * radius) - p0;
        heights.push(z);
        range = Math.max(range, Math.abs(z));
      }
    }
    const scale = range > 0 ? 1 / range : 1;
    const geometry = new THREE.PlaneGeometry(2, 2, MESH_STEPS, MESH_STEPS);
    const position = geometry.getAttribute('position');
    const colours = new Float32Array(position.count * 3);
    const colour = new THREE.Color();
    for (let k = 0; k < position.count; k++) {
      // PlaneGeometry orders vertices row by row from +y down; map back to (i, j).
      const x = position.getX(k);
      const y = position.getY(k);
      const i = Math.round(((x + 1) / 2) * MESH_STEPS);
      const j = Math.round(((y + 1) / 2) * MESH_STEPS);
      const h = heights[i * (MESH_STEPS + 1) + j] * scale;
      position.setZ(k, h);
      heightColour(h, colour).toArray(colours, k * 3);
    }
    geometry.setAttribute('color', new THREE.BufferAttribute(colours, 3));
    geometry.computeVertexNormals();
    const mesh = new THREE.Mesh(
      geometry,
      new THREE.MeshStandardMaterial({
        vertexColors: true,
        side: THREE.DoubleSide,
        roughness: 0.8,
        transparent: true,
        opacity: 0.92,
      }),
    );
    this.content.add(mesh);

    // Ruling lines t₁ = const and t₂ = const, sampled finely: straight iff p is linear along them.
    const lineMaterial = new THREE.LineBasicMaterial({ color: '#333333' });
    for (let r = 0; r < RULINGS; r++) {
      const c = (2 * r) / (RULINGS - 1) - 1;
      for (const alongFirst of [true, false]) {
        const points: THREE.Vector3[] = [];
        for (let s = 0; s <= MESH_STEPS; s++) {
          const u = (2 * s) / MESH_STEPS - 1;
          const [a, b] = alongFirst ? [u, c] : [c, u];
          points.push(new THREE.Vector3(a, b, (p(a * radius, b * radius) - p0) * scale + 0.004));
        }
        this.content.add(
          new THREE.Line(new THREE.BufferGeometry().setFromPoints(points), lineMaterial),
        );
      }
    }

    // Bounding box.
    const box = new THREE.LineSegments(
      new THREE.EdgesGeometry(new THREE.BoxGeometry(2, 2, 2)),
      new THREE.LineBasicMaterial({ color: '#bbbbbb' }),
    );
    this.content.add(box);
    // Axes along the floor of the box: t₁ (x) dark blue, t₂ (y) dark orange.
    const axis = (to: THREE.Vector3, colour: string) =>
      new THREE.Line(
        new THREE.BufferGeometry().setFromPoints([new THREE.Vector3(-1, -1, -1), to]),
        new THREE.LineBasicMaterial({ color: colour }),
      );
    this.content.add(
      axis(new THREE.Vector3(1, -1, -1), '#0b3d8c'),
      axis(new THREE.Vector3(-1, 1, -1), '#b35900'),
    );

    // Largest distance on the grid between p and its multilinear part, relative to the range.
    let bilinearError = 0;
    const multilinear = coefficients.map((v, c) =>
      layout.degrees.every((d, w) => Math.floor(c / layout.strides[w]) % (d + 1) <= 1) ? v : 0,
    );
    for (let i = 0; i <= MESH_STEPS; i += 4) {
      for (let j = 0; j <= MESH_STEPS; j += 4) {
        const t = [((2 * i) / MESH_STEPS - 1) * radius, ((2 * j) / MESH_STEPS - 1) * radius];
        const gap = Math.abs(
          evaluateMultivariate(layout, coefficients, t) -
            evaluateMultivariate(layout, multilinear, t),
        );
        bilinearError = Math.max(bilinearError, gap);
      }
    }
    this.render();
    return { range, bilinearError: range > 0 ? bilinearError / range : 0 };
  }

  resize(): void {
    const w = this.canvas.clientWidth || 600;
    const h = this.canvas.clientHeight || 400;
    this.renderer.setSize(w, h, false);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.render();
  }

  render(): void {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.renderer.render(this.scene, this.camera));
  }

  private clearContent(): void {
    this.content.traverse((object) => {
      const mesh = object as THREE.Mesh;
      mesh.geometry?.dispose();
      const material = mesh.material as THREE.Material | THREE.Material[] | undefined;
      for (const m of Array.isArray(material) ? material : material ? [material] : []) {
        (m as THREE.SpriteMaterial).map?.dispose();
        m.dispose();
      }
    });
    this.scene.remove(this.content);
    this.content = new THREE.Group();
    this.scene.add(this.content);
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
    this.clearContent();
    this.controls.dispose();
    this.renderer.dispose();
  }
}
