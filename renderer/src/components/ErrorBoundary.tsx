import { Button, Result } from 'antd';
import { Component, type ReactNode } from 'react';

interface State {
  error: Error | null;
}

/** Keeps one broken view from blanking the whole console; never shows a stack. */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey?: string }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidUpdate(prev: { resetKey?: string }) {
    if (prev.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null });
  }

  override render() {
    if (this.state.error) {
      return (
        <Result
          status="error"
          title="This view stopped working"
          subTitle={`${this.state.error.message}. Your data is safe; try again, or switch to another section.`}
          extra={<Button onClick={() => this.setState({ error: null })}>Try again</Button>}
        />
      );
    }
    return this.props.children;
  }
}
