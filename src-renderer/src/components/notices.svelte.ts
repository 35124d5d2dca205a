/** Short-lived messages (an action failed, an export finished), shown bottom right. */
export interface Notice {
  id: number;
  kind: 'info' | 'error' | 'success';
  title: string;
  detail?: string;
}

class Notices {
  items = $state<Notice[]>([]);
  #next = 1;

  push(kind: Notice['kind'], title: string, detail?: string, ms = kind === 'error' ? 10_000 : 4000): void {
    const id = this.#next++;
    this.items.push({ id, kind, title, ...(detail ? { detail } : {}) });
    setTimeout(() => this.dismiss(id), ms);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((n) => n.id !== id);
  }
}

export const notices = new Notices();
