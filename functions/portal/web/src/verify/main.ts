// The public certificate-verification page (issue 17): its own small entry, no sign-in,
// no Element Plus, so a phone on a slow connection loads it quickly.
import { createApp } from 'vue';
import './verify.css';
import VerifyApp from './VerifyApp.vue';

createApp(VerifyApp).mount('#app');
