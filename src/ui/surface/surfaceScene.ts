// three.js scene of the two-block polynomial p(t₁, t₂) = g(W + t₁Δ₁ + t₂Δ₂; x) (model.md §4).
// A bilinear p is a saddle ruled by straight lines: every t₁ = const and t₂ = const line drawn on
// the surface is straight. The scene owns its renderer and frees it in dispose().
//
// No DOM here: it draws into an OffscreenCanvas inside the surface worker (surface.worker.ts), so
// WebGL never blocks the page (with a software rasteriser one frame of this scene takes from
// tens of milliseconds to over a second, and the page's compositor would wait for it), or into
// the page's own canvas where OffscreenCanvas is missing. OrbitControls listen to `events`: the
// canvas itself on the page, or a stand-in fed with the pointer events the page forwards.

import * as THREE from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { RULINGS, type SurfaceGrid } from './surfaceMesh';

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
  private width = 0;
  private height = 0;

  /** `onChange` is called when the camera moved and a new frame is wanted. */
  constructor(
    canvas: HTMLCanvasElement | OffscreenCanvas,
    events: HTMLElement,
    onChange: () => void,
  ) {
    this.renderer = new THREE.WebGLRenderer({
      canvas,
      antialias: true,
      preserveDrawingBuffer: true,
    });
    this.scene.background = new THREE.Color('#ffffff');
    this.camera.position.set(2.3, -3.0, 1.9);
    this.camera.up.set(0, 0, 1);
    this.controls = new OrbitControls(this.camera, events);
    this.controls.addEventListener('change', onChange);
    this.scene.add(new THREE.AmbientLight(0xffffff, 1.6));
    const light = new THREE.DirectionalLight(0xffffff, 1.4);
    light.position.set(2, -3, 5);
    this.scene.add(light);
    this.scene.add(this.content);
  }

  /** Rebuilds the surface from grid heights already scaled to [−1, 1]. */
  setGrid(grid: SurfaceGrid): void {
    this.clearContent();
    const { steps, heights } = grid;
    const geometry = new THREE.PlaneGeometry(2, 2, steps, steps);
    const position = geometry.getAttribute('position');
    const colours = new Float32Array(position.count * 3);
    const colour = new THREE.Color();
    for (let k = 0; k < position.count; k++) {
      // PlaneGeometry orders vertices row by row from +y down; map back to (i, j).
      const i = Math.round(((position.getX(k) + 1) / 2) * steps);
      const j = Math.round(((position.getY(k) + 1) / 2) * steps);
      const h = heights[i * (steps + 1) + j];
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

    // Ruling lines t₁ = const and t₂ = const through grid points: straight iff p is linear
    // along them.
    const lineMaterial = new THREE.LineBasicMaterial({ color: '#333333' });
    const every = steps / (RULINGS - 1);
    for (let r = 0; r < RULINGS; r++) {
      const fixed = r * every;
      for (const alongFirst of [true, false]) {
        const points: THREE.Vector3[] = [];
        for (let s = 0; s <= steps; s++) {
          const [i, j] = alongFirst ? [s, fixed] : [fixed, s];
          const z = heights[i * (steps + 1) + j] + 0.004;
          points.push(new THREE.Vector3((2 * i) / steps - 1, (2 * j) / steps - 1, z));
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
  }

  /** Drawing-buffer size in CSS pixels × pixel ratio. Returns false when nothing changed. */
  setSize(width: number, height: number, pixelRatio: number): boolean {
    const w = Math.max(1, Math.round(width));
    const h = Math.max(1, Math.round(height));
    if (w === this.width && h === this.height && pixelRatio === this.renderer.getPixelRatio())
      return false;
    this.width = w;
    this.height = h;
    this.renderer.setPixelRatio(pixelRatio);
    this.renderer.setSize(w, h, false);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    return true;
  }

  render(): void {
    this.renderer.render(this.scene, this.camera);
  }

  private clearContent(): void {
    this.content.traverse((object) => {
      const mesh = object as THREE.Mesh;
      mesh.geometry?.dispose();
      const material = mesh.material as THREE.Material | THREE.Material[] | undefined;
      for (const m of Array.isArray(material) ? material : material ? [material] : []) m.dispose();
    });
    this.scene.remove(this.content);
    this.content = new THREE.Group();
    this.scene.add(this.content);
  }

  dispose(): void {
    this.controls.dispose();
    this.clearContent();
    this.renderer.dispose();
  }
}
